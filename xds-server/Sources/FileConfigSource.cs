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
/// </summary>
public sealed class FileConfigSource : BackgroundService, ISourceReadiness
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];
    private readonly MeshObjectStore _store;
    private readonly ManifestFileLoader _loader;
    private readonly XdsServerOptions _options;
    private readonly ILogger<FileConfigSource> _logger;
    private readonly Dictionary<string, (DateTime Modified, long Length)> _seen = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changed = new(0, 1);
    private volatile bool _synced;

    public FileConfigSource(MeshObjectStore store, ManifestFileLoader loader, IOptions<XdsServerOptions> options, ILogger<FileConfigSource> logger)
    {
        _store = store;
        _loader = loader;
        _options = options.Value;
        _logger = logger;
    }

    public string Name => "config-dir";

    public bool IsSynced => _synced;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var directory = Path.GetFullPath(_options.ConfigDir!);
        using var watcher = TryWatch(directory);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                Scan(directory);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Scanning config directory {ConfigDir} failed; keeping what was loaded", directory);
            }

            _synced = true;
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

    private FileSystemWatcher? TryWatch(string directory)
    {
        if (!Directory.Exists(directory))
        {
            _logger.LogError("Config directory {ConfigDir} does not exist; serving no objects from it until it does", directory);
            return null;
        }

        var watcher = new FileSystemWatcher(directory)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        FileSystemEventHandler onChange = (_, _) => Signal();
        watcher.Changed += onChange;
        watcher.Created += onChange;
        watcher.Deleted += onChange;
        watcher.Renamed += (_, _) => Signal();
        watcher.Error += (_, e) =>
        {
            _logger.LogWarning(e.GetException(), "Lost file notifications for {ConfigDir}; the periodic rescan covers it", directory);
            Signal();
        };
        watcher.EnableRaisingEvents = true;
        return watcher;
    }

    private void Signal()
    {
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

    private void Scan(string directory)
    {
        var present = Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
                .Where(IsManifest)
                .ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>(StringComparer.Ordinal);

        foreach (var gone in _seen.Keys.Where(f => !present.Contains(f)).ToList())
        {
            _seen.Remove(gone);
            _store.Replace(Origin(gone), []);
            _logger.LogInformation("Config file {File} was removed; its objects are withdrawn", gone);
        }

        foreach (var file in present.OrderBy(f => f, StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            var stamp = (info.LastWriteTimeUtc, info.Length);
            if (_seen.TryGetValue(file, out var seen) && seen == stamp)
            {
                continue;
            }

            Load(file);
            _seen[file] = stamp;
        }
    }

    private void Load(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (IOException e)
        {
            _logger.LogError("Cannot read config file {File}: {Reason}", file, e.Message);
            return;
        }

        var (objects, errors) = _loader.Load(text);
        foreach (var error in errors)
        {
            XdsMetrics.ConfigErrors.WithLabels(Name).Inc();
            _logger.LogError("Skipping invalid config in {File}: {Reason}", file, error);
        }

        var origin = Origin(file);
        if (errors.Count > 0)
        {
            // A broken document may be one of the objects loaded before: keep those rather than drop them.
            var kept = _store.ObjectsOf(origin).ToDictionary(o => (o.Kind, o.Key));
            foreach (var obj in objects)
            {
                kept[(obj.Kind, obj.Key)] = obj;
            }

            objects = kept.Values.ToList();
        }

        _store.Replace(origin, objects);
        _logger.LogInformation("Loaded {ObjectCount} objects from {File} ({ErrorCount} skipped)", objects.Count, file, errors.Count);
    }

    private static bool IsManifest(string path)
    {
        var name = Path.GetFileName(path);
        // Skips hidden files, and the ..data links of ConfigMap volumes that would count files twice.
        return !name.StartsWith('.') && !path.Contains($"{Path.DirectorySeparatorChar}.", StringComparison.Ordinal) &&
               Extensions.Contains(Path.GetExtension(name), StringComparer.OrdinalIgnoreCase);
    }

    private static string Origin(string file) => $"file:{file}";
}
