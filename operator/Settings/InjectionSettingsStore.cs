using ControlPlane.Mesh.Kubernetes.Informers;
using ControlPlane.Operator.Api;
using ControlPlane.Operator.Injection;
using k8s;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ControlPlane.Operator.Settings;

/// <summary>
/// The injection settings in force: the SidecarInjector named by <see cref="OperatorOptions.SidecarInjector"/>
/// ("default") over the defaults. An invalid
/// edit is reported (and shown in its status) but the last valid settings stay in use.
/// </summary>
public sealed class InjectionSettingsStore : BackgroundService
{
    private readonly OperatorOptions _options;
    private readonly ILogger<InjectionSettingsStore> _logger;
    private readonly ResourceInformer<SidecarInjector, SidecarInjectorList> _informer;
    private InjectionSettings _current;

    public InjectionSettingsStore(IKubernetes client, IOptions<OperatorOptions> options, IOptions<ResourceInformerOptions> informerOptions, ILogger<InjectionSettingsStore> logger)
    {
        _options = options.Value;
        _logger = logger;
        _current = InjectionSettings.Defaults(_options.DiscoveryAddress, _options.Revision);
        _informer = new ResourceInformer<SidecarInjector, SidecarInjectorList>(SidecarInjectorClient.Create(client), OnEvent, informerOptions.Value, logger);
    }

    public InjectionSettings Current => Volatile.Read(ref _current);

    public bool HasSynced => _informer.HasSynced;

    /// <summary>Raised with the name of every SidecarInjector that changed, for the status reconciler.</summary>
    public event Action<string>? Changed;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _informer.RunAsync(stoppingToken);

    private void OnEvent(InformerEventType type, SidecarInjector injector)
    {
        var name = injector.Metadata.Name;
        if (name != _options.SidecarInjector)
        {
            // Another operator's settings (or unused ones): neither applied nor reported on here.
            return;
        }

        if (type == InformerEventType.Deleted)
        {
            Volatile.Write(ref _current, InjectionSettings.Defaults(_options.DiscoveryAddress, _options.Revision));
            _logger.LogInformation("SidecarInjector {Name} was deleted; injecting with the defaults", name);
        }
        else
        {
            var (settings, errors) = InjectionSettings.FromSpec(injector.Spec, _options.DiscoveryAddress, _options.Revision);
            if (settings is null)
            {
                _logger.LogError("SidecarInjector {Name} generation {Generation} is invalid, keeping the previous settings: {Errors}", name, injector.Metadata.Generation, string.Join("; ", errors));
            }
            else if (settings != Current)
            {
                Volatile.Write(ref _current, settings);
                _logger.LogInformation("SidecarInjector {Name} generation {Generation} in use: flavor {Flavor}, discovery {DiscoveryAddress}", name, injector.Metadata.Generation, settings.Flavor, settings.DiscoveryAddress);
            }
        }

        if (type != InformerEventType.Deleted)
        {
            Changed?.Invoke(name);
        }
    }
}
