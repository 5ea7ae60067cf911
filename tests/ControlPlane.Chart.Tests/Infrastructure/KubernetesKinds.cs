using System.Reflection;
using System.Runtime.ExceptionServices;
using k8s;
using k8s.Models;

namespace ControlPlane.Chart.Tests.Infrastructure;

/// <summary>The typed KubernetesClient models the chart may render, keyed by apiVersion and kind.</summary>
public static class KubernetesKinds
{
    public static readonly IReadOnlyList<Type> ChartKinds =
    [
        typeof(V1ServiceAccount),
        typeof(V1ClusterRole),
        typeof(V1ClusterRoleBinding),
        typeof(V1Role),
        typeof(V1RoleBinding),
        typeof(V1Service),
        typeof(V1Deployment),
        typeof(V1PodDisruptionBudget),
        typeof(V1MutatingWebhookConfiguration),
    ];

    /// <summary>Kinds that live in no namespace.</summary>
    public static readonly IReadOnlySet<string> ClusterScoped = new HashSet<string>
    {
        "ClusterRole", "ClusterRoleBinding", "MutatingWebhookConfiguration", "CustomResourceDefinition",
    };

    public static (string ApiVersion, string Kind) Of(Type type)
    {
        var entity = type.GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{type} is not a Kubernetes model.", nameof(type));
        var apiVersion = string.IsNullOrEmpty(entity.Group) ? entity.ApiVersion : $"{entity.Group}/{entity.ApiVersion}";
        return (apiVersion, entity.Kind);
    }

    public static Type? ModelFor(ManifestDocument document) =>
        ChartKinds.FirstOrDefault(type => Of(type) == (document.ApiVersion, document.Kind));

    /// <summary>Reads <paramref name="document"/> as <paramref name="model"/>, failing on any field the model lacks.</summary>
    public static object DeserializeStrict(ManifestDocument document, Type model)
    {
        var deserialize = typeof(KubernetesYaml).GetMethod(nameof(KubernetesYaml.Deserialize), [typeof(string), typeof(bool)])!
            .MakeGenericMethod(model);
        try
        {
            return deserialize.Invoke(null, [document.Yaml, true])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }
}
