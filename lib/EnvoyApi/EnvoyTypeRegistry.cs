using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace ControlPlane.EnvoyApi;

/// <summary>Every generated Envoy message type, so Any fields can be printed as JSON.</summary>
public static class EnvoyTypeRegistry
{
    private static readonly Lazy<TypeRegistry> Registry = new(() =>
    {
        var files = typeof(EnvoyTypeRegistry).Assembly.GetTypes()
            .Where(t => t.IsClass && t.IsAbstract && t.IsSealed && t.Name.EndsWith("Reflection", StringComparison.Ordinal))
            .Select(t => t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null))
            .OfType<FileDescriptor>();
        return TypeRegistry.FromFiles(files.ToArray());
    });

    public static TypeRegistry Instance => Registry.Value;

    /// <summary>Indented proto3 JSON, the way Envoy's admin endpoints print config.</summary>
    public static JsonFormatter IndentedFormatter { get; } =
        new(JsonFormatter.Settings.Default.WithTypeRegistry(Instance).WithIndentation());

    public static JsonFormatter CompactFormatter { get; } =
        new(JsonFormatter.Settings.Default.WithTypeRegistry(Instance));

    public static JsonParser Parser { get; } =
        new(JsonParser.Settings.Default.WithTypeRegistry(Instance));
}
