using Microsoft.Extensions.Logging;
using Prometheus;

namespace ControlPlane.XdsServer.Sources;

/// <summary>
/// Whether a config source has delivered its first complete read, and whether it can read now.
/// Both sources follow one rule: a source that disappears or cannot be read is failing, and while it
/// fails the store keeps its last good objects; only a successful read changes what it serves.
/// Shown on /debug/sources and as controlplane_config_source_failing; each transition is logged once.
/// </summary>
public sealed class SourceStatus
{
    private static readonly Gauge Failing = Metrics.CreateGauge(
        "controlplane_config_source_failing", "1 while a config source cannot be read (its last good objects stay served), else 0; by source.", "source");

    private static readonly Counter Failures = Metrics.CreateCounter(
        "controlplane_config_source_failures_total", "Times a config source started failing, by source.", "source");

    private readonly object _gate = new();
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private string? _failure;
    private DateTimeOffset? _failingSince;
    private DateTimeOffset? _lastReadAt;
    private volatile bool _synced;

    public SourceStatus(string name, ILogger logger, TimeProvider? time = null)
    {
        Name = name;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        Failing.WithLabels(name).Set(0);
    }

    /// <summary>The source's name, e.g. "config-dir" or "kubernetes".</summary>
    public string Name { get; }

    /// <summary>True once the source has read everything at least once; it stays true while the source fails later.</summary>
    public bool IsSynced => _synced;

    /// <summary>Why the source cannot be read now; null while it can.</summary>
    public string? Failure
    {
        get
        {
            lock (_gate)
            {
                return _failure;
            }
        }
    }

    /// <summary>When the current failure started; null while healthy.</summary>
    public DateTimeOffset? FailingSince
    {
        get
        {
            lock (_gate)
            {
                return _failingSince;
            }
        }
    }

    /// <summary>When the source last read everything successfully.</summary>
    public DateTimeOffset? LastReadAt
    {
        get
        {
            lock (_gate)
            {
                return _lastReadAt;
            }
        }
    }

    /// <summary>A complete, successful read: the source is synced and, if it was failing, has recovered.</summary>
    public void Succeeded()
    {
        string? recoveredFrom;
        TimeSpan failedFor;
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            recoveredFrom = _failure;
            failedFor = _failingSince is { } since ? now - since : TimeSpan.Zero;
            _failure = null;
            _failingSince = null;
            _lastReadAt = now;
            _synced = true;
        }

        if (recoveredFrom is not null)
        {
            Failing.WithLabels(Name).Set(0);
            _logger.LogInformation("Config source {Source} recovered after {FailedFor:g}; it is read again", Name, failedFor);
        }
    }

    /// <summary>
    /// The source cannot be read: nothing it served is withdrawn. Logged as an error when it starts
    /// failing and when the reason changes, not on every retry.
    /// </summary>
    /// <param name="reason">Our own description, naming the directory, file or resource; never unbounded client input.</param>
    public void Failed(string reason)
    {
        bool started;
        lock (_gate)
        {
            if (_failure == reason)
            {
                return;
            }

            started = _failure is null;
            _failure = reason;
            _failingSince ??= _time.GetUtcNow();
        }

        if (started)
        {
            Failing.WithLabels(Name).Set(1);
            Failures.WithLabels(Name).Inc();
        }

        _logger.LogError("Config source {Source} is failing: {Reason}; its last good objects stay served until it can be read again", Name, reason);
    }
}
