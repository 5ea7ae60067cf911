using ControlPlane.XdsServer;

return await XdsServerCommandLine.Create(async (options, cancellationToken) =>
{
    var app = XdsServerHost.Build(options);
    await app.RunAsync(cancellationToken);
    return 0;
}).Parse(args).InvokeAsync();
