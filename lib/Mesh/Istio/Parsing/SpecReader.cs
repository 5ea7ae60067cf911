using System.Collections.Immutable;
using System.Text.Json;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>
/// Collects the errors and warnings of parsing one object's spec, bounded in number and length so
/// that a hostile object costs bounded memory and log space.
/// </summary>
public sealed class SpecReader
{
    /// <summary>Errors (and, separately, warnings) kept per object; one more line says how many were left out.</summary>
    public const int MaxMessages = 10;

    /// <summary>Characters of one message at most.</summary>
    public const int MaxMessageLength = 300;

    /// <summary>Characters of client input (a value, a map key) quoted in a message at most.</summary>
    public const int MaxQuotedLength = 64;

    private readonly List<string> _errors = new();
    private readonly List<string> _warnings = new();
    private int _droppedErrors;
    private int _droppedWarnings;

    /// <param name="objectNamespace">The object's namespace: exportTo "." and short names refer to it.</param>
    /// <param name="objectName">The object's name (a Gateway's must be a DNS label).</param>
    public SpecReader(string objectNamespace, string objectName)
    {
        Namespace = objectNamespace;
        Name = objectName;
    }

    public string Namespace { get; }

    public string Name { get; }

    public bool HasErrors => _errors.Count > 0 || _droppedErrors > 0;

    /// <summary>Quotes client input for a message, cut to <see cref="MaxQuotedLength"/> characters.</summary>
    public static string Quote(string value)
    {
        var cut = value.Length > MaxQuotedLength ? value[..MaxQuotedLength] + "..." : value;
        return JsonSerializer.Serialize(cut);
    }

    public void Error(string path, string message) => Add(_errors, ref _droppedErrors, path, message);

    public void Warning(string path, string message) => Add(_warnings, ref _droppedWarnings, path, message);

    /// <summary>Reads <paramref name="spec"/> as the object's <c>spec</c> with <paramref name="parse"/>.</summary>
    public IstioParseResult<T> Parse<T>(JsonElement? spec, Func<FieldReader, T> parse)
        where T : class
    {
        T? result = null;
        if (spec is null || spec.Value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            // An absent spec reads as an empty one, as protobuf does; validation says what is missing.
            using var empty = JsonDocument.Parse("{}");
            result = Read(empty.RootElement.Clone());
        }
        else if (spec.Value.ValueKind != JsonValueKind.Object)
        {
            Error("spec", $"must be an object, not {Describe(spec.Value.ValueKind)}");
        }
        else
        {
            result = Read(spec.Value);
        }

        return new IstioParseResult<T>(HasErrors ? null : result, Finish(_errors, _droppedErrors, "errors"), Finish(_warnings, _droppedWarnings, "warnings"));

        T Read(JsonElement element)
        {
            var reader = new FieldReader(this, element, "spec");
            var value = parse(reader);
            reader.WarnUnknownFields();
            return value;
        }
    }

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private static void Add(List<string> list, ref int dropped, string path, string message)
    {
        if (list.Count >= MaxMessages)
        {
            dropped++;
            return;
        }

        var text = $"{path}: {message}";
        list.Add(text.Length > MaxMessageLength ? text[..(MaxMessageLength - 3)] + "..." : text);
    }

    private static ImmutableArray<string> Finish(List<string> list, int dropped, string what) =>
        dropped == 0 ? list.ToImmutableArray() : list.Append($"... and {dropped} more {what}").ToImmutableArray();
}
