using ControlPlane.Mesh.Hosting;
using ControlPlane.XdsServer;

return await XdsServerCommandLine.Create(async (options, cancellationToken) =>
{
    var app = XdsServerHost.Build(options);
    return await ControlPlaneHost.RunAsync(app, XdsServerHost.PortOptions, cancellationToken);
}).Parse(args).InvokeAsync();
