using k8s;
using k8s.Models;

namespace ControlPlane.Crds.Tests.Infrastructure;

/// <summary>
/// Reads <c>items</c> and <c>additionalProperties</c> as schemas. The client model types them as <c>object</c>
/// (they may also be booleans), and its YAML reader leaves them as raw dictionaries, so they are re-read here.
/// </summary>
public static class SchemaNode
{
    public static V1JSONSchemaProps? Items(V1JSONSchemaProps schema) => AsSchema(schema.Items);

    public static V1JSONSchemaProps? AdditionalProperties(V1JSONSchemaProps schema) => AsSchema(schema.AdditionalProperties);

    /// <summary>True for <c>additionalProperties: true</c>, which admits any value under any key.</summary>
    public static bool AdmitsAnyProperty(V1JSONSchemaProps schema) =>
        schema.AdditionalProperties is true || schema.AdditionalProperties is "true";

    public static bool PreservesUnknownFields(V1JSONSchemaProps schema) => schema.XKubernetesPreserveUnknownFields == true;

    public static bool IsIntOrString(V1JSONSchemaProps schema) => schema.XKubernetesIntOrString == true;

    public static IEnumerable<V1JSONSchemaProps> Junctors(V1JSONSchemaProps schema) =>
        (schema.AllOf ?? []).Concat(schema.AnyOf ?? []).Concat(schema.OneOf ?? [])
            .Concat(schema.Not is null ? [] : [schema.Not]);

    private static V1JSONSchemaProps? AsSchema(object? raw) => raw switch
    {
        null or bool or string => null,
        V1JSONSchemaProps schema => schema,
        _ => KubernetesYaml.Deserialize<V1JSONSchemaProps>(KubernetesYaml.Serialize(raw)),
    };
}
