using System.Text.Json;
using System.Text.Json.Nodes;
using ControlPlane.FakeKubernetes.Admission;
using Microsoft.AspNetCore.Http;

namespace ControlPlane.FakeKubernetes;

/// <summary>Serves the Kubernetes REST protocol for every resource type the fake knows.</summary>
public sealed class ApiRequestHandler(FakeObjectStore store, FakeApiServerOptions options, FakeControllers controllers)
{
    private readonly AdmissionDispatcher _admission = new(store);
    private readonly BuiltInAdmission _builtIn = new(store);
    private int _requests;

    public int Requests => _requests;

    public async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        try
        {
            if (context.Request.Method == "GET" && ApiDiscovery.Answer(context.Request.Path.Value ?? "/") is { } discovery)
            {
                await WriteAsync(context, 200, discovery);
                return;
            }

            var path = ApiPath.Parse(context.Request.Path.Value ?? "/");
            if (context.Request.Method == "GET" && options.ShouldFailRead(path.Type.Plural))
            {
                throw new ApiError(500, "InternalError", "injected failure");
            }

            var query = context.Request.Query;
            switch (context.Request.Method)
            {
                case "GET" when path.Name is null && IsTrue(query["watch"]):
                    await WatchAsync(context, path);
                    return;
                case "GET" when path.Name is null:
                    var selector = LabelSelector.Parse(query["labelSelector"]);
                    var (items, version) = store.List(path.Type, path.Namespace, selector.Matches);
                    await WriteAsync(context, 200, new JsonObject
                    {
                        ["kind"] = path.Type.ListKind,
                        ["apiVersion"] = path.Type.ApiVersion,
                        ["metadata"] = new JsonObject { ["resourceVersion"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                        ["items"] = new JsonArray(items.ToArray<JsonNode?>()),
                    });
                    return;
                case "GET":
                    await WriteAsync(context, 200, store.Get(path.Type, path.Namespace, path.Name!));
                    return;
                case "POST" when path.Name is null:
                    // Built-in admission, then mutating webhooks, all before the object is stored, as on a real server.
                    var dryRun = query["dryRun"] == "All";
                    var created = NamespaceDefaults(path.Type, _builtIn.Admit(path.Type, path.Namespace, await ReadObjectAsync(context, path.Type)));
                    var admitted = await _admission.AdmitCreateAsync(path.Type, path.Namespace, created, context.RequestAborted, dryRun);
                    await WriteAsync(context, 201, store.Create(path.Type, path.Namespace, CustomResourceDefinitions.Accept(path.Type, admitted), dryRun));
                    return;
                case "PUT" when path.Name is not null:
                    var replacement = await ReadObjectAsync(context, path.Type);
                    await WriteAsync(context, 200, store.Replace(path.Type, path.Namespace, path.Name, _ => replacement, path.Status));
                    return;
                case "PATCH" when path.Name is not null:
                    var patch = await JsonNode.ParseAsync(context.Request.Body) ?? throw ApiError.BadRequest("empty patch");
                    var contentType = context.Request.ContentType ?? string.Empty;
                    await WriteAsync(context, 200, store.Replace(path.Type, path.Namespace, path.Name, current => ApplyPatch(current, patch, contentType), path.Status));
                    return;
                case "DELETE" when path.Name is not null && path.Type.Kind == "Namespace":
                    // A namespace goes only once the namespace controller has emptied it; until then it is Terminating.
                    var (terminating, started) = store.Terminate(path.Type, path.Name);
                    if (started)
                    {
                        controllers.NamespaceTerminating(path.Name);
                    }

                    await WriteAsync(context, 200, terminating);
                    return;
                case "DELETE" when path.Name is not null:
                    var policy = await PropagationPolicyAsync(context);
                    var removed = store.Delete(path.Type, path.Namespace, path.Name);
                    controllers.Deleted(removed, policy);
                    await WriteAsync(context, 200, removed);
                    return;
                default:
                    throw new ApiError(405, "MethodNotAllowed", $"{context.Request.Method} {context.Request.Path} is not supported");
            }
        }
        catch (ApiError error)
        {
            await WriteAsync(context, error.Code, error.ToStatus());
        }
        catch (JsonException e)
        {
            await WriteAsync(context, 400, ApiError.BadRequest($"request body ({context.Request.ContentType}) to {context.Request.Method} {context.Request.Path} is not valid JSON: {e.Message}").ToStatus());
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, 500, new ApiError(500, "InternalError", $"fake API server: {e.GetType().Name}: {e.Message}").ToStatus());
        }
    }

    private async Task WatchAsync(HttpContext context, ApiPath path)
    {
        var query = context.Request.Query;
        var from = query["resourceVersion"].ToString();
        long? fromVersion = string.IsNullOrEmpty(from) || from == "0" ? null : long.Parse(from, System.Globalization.CultureInfo.InvariantCulture);
        var timeout = int.TryParse(query["timeoutSeconds"], out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(30);
        var bookmarks = IsTrue(query["allowWatchBookmarks"]);

        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        lifetime.CancelAfter(timeout);
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        try
        {
            var events = store.Watch(path.Type, path.Namespace, fromVersion, lifetime.Token);
            await context.Response.StartAsync();
            using var bookmarkTimer = bookmarks ? new PeriodicTimer(options.BookmarkInterval) : null;
            var next = events.WaitToReadAsync(lifetime.Token).AsTask();
            var tick = bookmarkTimer?.WaitForNextTickAsync(lifetime.Token).AsTask();
            while (true)
            {
                var done = tick is null ? await Task.WhenAny(next) : await Task.WhenAny(next, tick);
                // A cancelled tick (client gone or timeout) must end the watch: re-arming the timer on
                // a cancelled token completes at once, inside the cancellation callback, and would spin
                // there for ever without letting the read of the channel see the cancellation.
                lifetime.Token.ThrowIfCancellationRequested();
                if (done == tick)
                {
                    await WriteEventAsync(context, "BOOKMARK", new JsonObject
                    {
                        ["kind"] = path.Type.Kind,
                        ["apiVersion"] = path.Type.ApiVersion,
                        ["metadata"] = new JsonObject { ["resourceVersion"] = store.CurrentVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                    });
                    tick = bookmarkTimer!.WaitForNextTickAsync(lifetime.Token).AsTask();
                    continue;
                }

                if (!await next)
                {
                    return;
                }

                while (events.TryRead(out var change))
                {
                    await WriteEventAsync(context, change.Type, change.Object);
                }

                next = events.WaitToReadAsync(lifetime.Token).AsTask();
            }
        }
        catch (ApiError error) when (error.Code == 410)
        {
            // The real API server answers 200 and reports an expired version as an ERROR event.
            if (!context.Response.HasStarted)
            {
                await context.Response.StartAsync();
            }

            await WriteEventAsync(context, "ERROR", error.ToStatus());
        }
        catch (OperationCanceledException)
        {
            // Timeout or client gone: the watch simply ends.
        }
    }

    private static async Task WriteEventAsync(HttpContext context, string type, JsonObject obj)
    {
        var line = new JsonObject { ["type"] = type, ["object"] = obj }.ToJsonString() + "\n";
        await context.Response.WriteAsync(line);
        await context.Response.Body.FlushAsync();
    }

    private static JsonObject ApplyPatch(JsonObject current, JsonNode patch, string contentType)
    {
        if (contentType.StartsWith("application/json-patch+json", StringComparison.Ordinal))
        {
            return Patches.Apply(current, patch as JsonArray ?? throw ApiError.BadRequest("a JSON patch is an array")) as JsonObject
                ?? throw new ApiError(422, "Invalid", "the JSON patch does not leave an object");
        }

        if (contentType.StartsWith("application/merge-patch+json", StringComparison.Ordinal) ||
            contentType.StartsWith("application/strategic-merge-patch+json", StringComparison.Ordinal))
        {
            return (JsonObject)Patches.Merge(current, patch)!;
        }

        throw new ApiError(415, "UnsupportedMediaType", $"patch content type '{contentType}' is not supported by the fake API server");
    }

    /// <summary>A new namespace is Active and holds the "kubernetes" finalizer, as the real server stores it.</summary>
    private static JsonObject NamespaceDefaults(ResourceType type, JsonObject obj)
    {
        if (type.Kind == "Namespace" && type.Group.Length == 0)
        {
            obj["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
            obj["status"] = new JsonObject { ["phase"] = "Active" };
        }

        return obj;
    }

    /// <summary>DeleteOptions.propagationPolicy from the query or a JSON body; null (the kind's default, Background here) otherwise.</summary>
    private static async Task<string?> PropagationPolicyAsync(HttpContext context)
    {
        if (context.Request.Query["propagationPolicy"].ToString() is { Length: > 0 } fromQuery)
        {
            return fromQuery;
        }

        if (ProtobufBodies.IsProtobuf(context.Request.ContentType))
        {
            return null;
        }

        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        try
        {
            return body.Length == 0 ? null : (JsonNode.Parse(body) as JsonObject)?["propagationPolicy"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context, ResourceType type)
    {
        if (ProtobufBodies.IsProtobuf(context.Request.ContentType))
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            return ProtobufBodies.Decode(type, body.ToArray());
        }

        return await JsonNode.ParseAsync(context.Request.Body) as JsonObject ?? throw ApiError.BadRequest("the request body must be a JSON object");
    }

    private static async Task WriteAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues value) => value == "true" || value == "1";
}
