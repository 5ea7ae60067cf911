using ControlPlane.Operator.Ownership;
using k8s;
using k8s.LeaderElection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Operator.Leadership;

/// <summary>
/// Holds (or waits for) the operator's Lease (owned by the operator's Deployment, see <see cref="OwnedLeaseLock"/>). Everything that writes to the cluster does so only
/// while this replica leads; every replica serves the webhook regardless.
/// </summary>
public sealed class LeaderElectionService : Microsoft.Extensions.Hosting.BackgroundService
{
    private readonly IKubernetes _client;
    private readonly DeploymentOwner _owner;
    private readonly OperatorOptions _options;
    private readonly ILogger<LeaderElectionService> _logger;
    private TaskCompletionSource _leading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource _term = new();

    public LeaderElectionService(IKubernetes client, DeploymentOwner owner, IOptions<OperatorOptions> options, ILogger<LeaderElectionService> logger)
    {
        _client = client;
        _owner = owner;
        _options = options.Value;
        _logger = logger;
    }

    public bool IsLeader { get; private set; }

    /// <summary>Completes when this replica leads; the token it returns is cancelled when it stops leading.</summary>
    public async Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancellationToken)
    {
        await _leading.Task.WaitAsync(cancellationToken);
        return _term.Token;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var leaseLock = new OwnedLeaseLock(_client, _options.Namespace, _options.LeaseName, _options.Identity, _owner);
        var config = new LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = _options.LeaseDuration,
            RenewDeadline = _options.RenewDeadline,
            RetryPeriod = _options.RetryPeriod,
        };

        while (!stoppingToken.IsCancellationRequested)
        {
            using var elector = new LeaderElector(config);
            elector.OnStartedLeading += () =>
            {
                IsLeader = true;
                _logger.LogInformation("{Identity} now leads (Lease {Namespace}/{Lease})", _options.Identity, _options.Namespace, _options.LeaseName);
                _leading.TrySetResult();
            };
            elector.OnStoppedLeading += StopLeading;
            elector.OnError += e => _logger.LogWarning("Leader election for Lease {Namespace}/{Lease} failed: {Error}", _options.Namespace, _options.LeaseName, e.Message);
            try
            {
                await elector.RunUntilLeadershipLostAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning("Leader election ended with an error: {Error}; trying again", e.Message);
            }

            StopLeading();
        }
    }

    private void StopLeading()
    {
        if (!IsLeader)
        {
            return;
        }

        IsLeader = false;
        _logger.LogInformation("{Identity} no longer leads", _options.Identity);
        var term = _term;
        _term = new CancellationTokenSource();
        _leading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        term.Cancel();
        term.Dispose();
    }
}
