using ControlPlane.Mesh.Model;
using ControlPlane.Mesh.Store;
using ControlPlane.XdsServer.Delivery;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.XdsServer.Sources;

/// <summary>
/// Serves the Kubernetes YAML in --config-dir and follows its changes (file notifications plus a
/// periodic rescan, since notifications can be lost). Each file is its own origin in the store.
/// A file with errors keeps the objects it had before beside the ones it still defines well.
/// A directory that disappears or cannot be read is a source failure, not an empty mesh: everything
/// loaded stays served (see <see cref="SourceStatus"/>); only files removed from a readable
/// directory withdraw their objects. Notifications are watched again when the directory returns.
/// </summary>
public sealed class FileConfigSource : BackgroundService, ISourceReadiness
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];
    private static readonly EnumerationOptions Everything = new()
    {
        RecurseSubdirectories = true,
        // An unreadable subdirectory is a failure to read, not a reason to withdraw its files.
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
    };

    private readonly MeshObjectStore _store;
    private readonly ManifestFileLoader _loader;
    private readonly XdsServerOptions _options;
    private readonly ILogger<FileConfigSource> _logger;
    private readonly Dictionary<string, (DateTime Modified, long Length)> _seen = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changed = new(0, 1);

    // Stopwatch timestamp of the latest change notification not yet read (0: none): the store is told
    // how long ago the change was seen, so the settle and the read overlap the push debounce.
    private long _lastNoticedAt;

    public FileConfigSource(MeshObjectStore store, ManifestFileLoader loader, IOptions<XdsServerOptions> options, ILogger<FileConfigSource> logger)
    {
        _store = store;
        _loader = loader;
        _options = options.Value;
        _logger = logger;
        Status = new SourceStatus(Name, logger);
    }

    public string Name => "config-dir";

    /// <summary>True after the first complete read of the directory; a directory missing at start keeps the server unready.</summary>
    public bool IsSynced => Status.IsSynced;

    public SourceStatus Status { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var directory = Path.GetFullPath(_options.ConfigDir!);
        using var watch = new ConfigDirectoryWatch(directory, Signal, _logger);
        while (!stoppingToken.IsCancellationRequested)
        {
            bool read;
            try
            {
                read = Scan(directory);
            }
            catch (Exception e)
            {
                Status.Failed($"scanning {directory} failed: {e.Message}");
                read = false;
            }

            if (read)
            {
                watch.Arm();
            }
            else
            {
                watch.Disarm();
            }

            try
            {
                await _changed.WaitAsync(_options.ConfigPollInterval, stoppingToken);
                // Editors write in several steps: let a burst of notifications settle into one rescan.
                await Task.Delay(TimeSpan.FromMilliseconds(20), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Signal()
    {
        Interlocked.Exchange(ref _lastNoticedAt, System.Diagnostics.Stopwatch.GetTimestamp());
        if (_changed.CurrentCount == 0)
        {
            try
            {
                _changed.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    /// <summary>Reads what changed and applies it; false (nothing withdrawn) when the directory or a file cannot be read.</summary>
    private bool Scan(string directory)
    {
        // Taken before listing: a notification arriving during the read starts another scan.
        var noticedAt = Interlocked.Exchange(ref _lastNoticedAt, 0);
        var present = List(directory);
        if (present is null)
        {
            return false;
        }

        var unreadable = new List<string>();
        var loaded = new List<(string File, (DateTime, long) Stamp, List<MeshObject> Objects)>();
        foreach (var (file, stamp) in present.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (_seen.TryGetValue(file, out var seen) && seen == stamp)
            {
                continue;
            }

            if (stamp.Item2 > _options.MaxConfigFileBytes)
            {
                // Bad input, not a read failure: reported once per version of the file, its objects kept.
                XdsMetrics.ConfigErrors.WithLabels(Name).Inc();
                _logger.LogError("Skipping config file {File}: it is {Size} bytes, larger than the {MaxBytes} read; its objects stay as they were", file, stamp.Item2, _options.MaxConfigFileBytes);
                _seen[file] = stamp;
                continue;
            }

            var objects = Load(file);
            if (objects is null)
            {
                unreadable.Add(file);
                continue;
            }

            loaded.Add((file, stamp, objects));
        }

        // Files "removed" while the directory itself went away were not removed by anyone: withdraw nothing.
        if (!Directory.Exists(directory))
        {
            Status.Failed($"directory {directory} disappeared while it was being read");
            return false;
        }

        // One store change for the whole scan: proxies never get a directory half applied (a
        // VirtualService without the DestinationRule of its subsets, read from the next file).
        var changes = new List<(string Origin, IEnumerable<MeshObject> Objects)>();
        foreach (var gone in _seen.Keys.Where(f => !present.ContainsKey(f)).ToList())
        {
            _seen.Remove(gone);
            changes.Add((Origin(gone), []));
            _logger.LogInformation("Config file {File} was removed; its objects are withdrawn", gone);
        }

        foreach (var (file, stamp, objects) in loaded)
        {
            changes.Add((Origin(file), objects));
            _seen[file] = stamp;
        }

        if (changes.Count > 0)
        {
            _store.ReplaceAll(changes, noticedAt == 0 ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(noticedAt));
        }

        if (unreadable.Count > 0)
        {
            Status.Failed($"cannot read {unreadable.Count} file(s) in {directory}, e.g. {unreadable[0]}");
            return true;
        }

        Status.Succeeded();
        return true;
    }

    /// <summary>The manifest files under <paramref name="directory"/> with their stamps, or null (and the source failing) when it cannot be listed.</summary>
    private Dictionary<string, (DateTime, long)>? List(string directory)
    {
        if (!Directory.Exists(directory))
        {
            Status.Failed(File.Exists(directory) ? $"{directory} is not a directory" : $"directory {directory} does not exist");
            return null;
        }

        try
        {
            var files = new Dictionary<string, (DateTime, long)>(StringComparer.Ordinal);
            foreach (var file in Directory.EnumerateFiles(directory, "*", Everything))
            {
                if (IsManifest(directory, file))
                {
                    var info = new FileInfo(file);
                    files[file] = (info.LastWriteTimeUtc, info.Length);
                }
            }

            return files;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            Status.Failed($"cannot list {directory}: {e.Message}");
            return null;
        }
    }

    /// <summary>The objects a file defines now (with its last good ones for broken documents), or null when it cannot be read.</summary>
    private List<MeshObject>? Load(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogError("Cannot read config file {File}: {Reason}; its objects stay served", file, e.Message);
            return null;
        }

        var result = _loader.Load(text);
        foreach (var error in result.Errors)
        {
            XdsMetrics.ConfigErrors.WithLabels(Name).Inc();
            _logger.LogError("Skipping invalid config in {File}: {Reason}", file, error);
        }

        foreach (var warning in result.Warnings)
        {
            _logger.LogWarning("Config in {File}: {Warning}", file, warning);
        }

        var objects = result.Objects;
        if (result.Errors.Count > 0)
        {
            // A broken document may be one of the objects loaded before: keep those rather than drop them.
            var kept = _store.ObjectsOf(Origin(file)).ToDictionary(o => (o.Kind, o.Key));
            foreach (var obj in objects)
            {
                kept[(obj.Kind, obj.Key)] = obj;
            }

            objects = kept.Values.ToList();
        }

        _logger.LogInformation("Loaded {ObjectCount} objects from {File} ({ErrorCount} skipped)", objects.Count, file, result.Errors.Count);
        return objects;
    }

    /// <summary>YAML and JSON files, not hidden ones nor those under hidden directories (the ..data links of ConfigMap volumes would count files twice).</summary>
    private static bool IsManifest(string directory, string path)
    {
        var relative = Path.GetRelativePath(directory, path);
        return !relative.StartsWith('.') && !relative.Contains($"{Path.DirectorySeparatorChar}.", StringComparison.Ordinal) &&
               Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);
    }

    private static string Origin(string file) => $"file:{file}";
}
