using Microsoft.Extensions.Logging;

namespace ControlPlane.XdsServer.Sources;

/// <summary>
/// File notifications for the config directory. A notification watch follows the directory it was
/// opened on: once that directory is deleted, renamed or replaced (a symlink swapped, as git-sync
/// does) it reports nothing more. So the directory's own entry is watched in its parent too, and the
/// watch is opened again (<see cref="Arm"/>) after the directory comes back or is replaced.
/// </summary>
internal sealed class ConfigDirectoryWatch : IDisposable
{
    private readonly string _directory;
    private readonly Action _signal;
    private readonly ILogger _logger;
    private FileSystemWatcher? _parent;
    private FileSystemWatcher? _files;
    private volatile bool _stale;
    private volatile bool _parentLost;

    public ConfigDirectoryWatch(string directory, Action signal, ILogger logger)
    {
        _directory = directory;
        _signal = signal;
        _logger = logger;
    }

    /// <summary>True while file notifications of the directory are being received.</summary>
    public bool IsArmed => _files is not null && !_stale;

    /// <summary>After a successful scan: makes sure notifications come from the directory as it is now.</summary>
    public void Arm()
    {
        WatchParent();
        if (IsArmed)
        {
            return;
        }

        _files?.Dispose();
        _files = null;
        _stale = false;
        try
        {
            var watcher = new FileSystemWatcher(_directory)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            watcher.Changed += (_, _) => _signal();
            watcher.Created += (_, _) => _signal();
            watcher.Deleted += (_, _) => _signal();
            watcher.Renamed += (_, _) => _signal();
            watcher.Error += (_, e) =>
            {
                _logger.LogWarning("Lost file notifications for {ConfigDir} ({Reason}); watching it again after the next scan", _directory, e.GetException().Message);
                _stale = true;
                _signal();
            };
            watcher.EnableRaisingEvents = true;
            _files = watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // Gone again already, or out of inotify watches: the periodic rescan still covers it.
            _logger.LogWarning("Cannot watch {ConfigDir} for changes ({Reason}); relying on the periodic rescan", _directory, e.Message);
        }
    }

    /// <summary>While the directory cannot be read: drop the watch, which would report nothing more.</summary>
    public void Disarm()
    {
        WatchParent();
        _files?.Dispose();
        _files = null;
    }

    public void Dispose()
    {
        _files?.Dispose();
        _parent?.Dispose();
    }

    private void WatchParent()
    {
        if (_parent is not null && !_parentLost)
        {
            return;
        }

        _parent?.Dispose();
        _parent = null;
        _parentLost = false;

        var parent = Path.GetDirectoryName(_directory.TrimEnd(Path.DirectorySeparatorChar));
        if (string.IsNullOrEmpty(parent) || !Directory.Exists(parent))
        {
            return;
        }

        try
        {
            var watcher = new FileSystemWatcher(parent, Path.GetFileName(_directory.TrimEnd(Path.DirectorySeparatorChar)))
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.DirectoryName | NotifyFilters.FileName,
            };
            FileSystemEventHandler replaced = (_, _) => Replaced();
            watcher.Created += replaced;
            watcher.Deleted += replaced;
            watcher.Renamed += (_, _) => Replaced();
            watcher.Error += (_, _) =>
            {
                _parentLost = true;
                Replaced();
            };
            watcher.EnableRaisingEvents = true;
            _parent = watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            _logger.LogDebug("Cannot watch the parent of {ConfigDir} ({Reason}); a replaced directory is noticed by the periodic rescan", _directory, e.Message);
        }
    }

    private void Replaced()
    {
        _stale = true;
        _signal();
    }
}
