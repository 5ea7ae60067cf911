using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using ControlPlane.Mesh.Model;

namespace ControlPlane.Mesh.Istio.Parsing;

/// <summary>
/// Reads the fields of one JSON object of an Istio spec as protobuf JSON does (camelCase names,
/// null as absent, integers also as strings, durations as "1.5s", enums by their Istio names),
/// reporting type errors with the field's path. Every field read is remembered, so that the fields
/// nobody read can be reported as unknown.
/// </summary>
public sealed class FieldReader
{
    private readonly JsonElement _object;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    internal FieldReader(SpecReader spec, JsonElement obj, string path)
    {
        Spec = spec;
        _object = obj;
        Path = path;
    }

    public SpecReader Spec { get; }

    /// <summary>The path of this object, e.g. <c>spec.http[0]</c>.</summary>
    public string Path { get; }

    public string At(string field) => $"{Path}.{field}";

    public void Error(string field, string message) => Spec.Error(At(field), message);

    /// <summary>Reports an error about this object as a whole.</summary>
    public void Error(string message) => Spec.Error(Path, message);

    public bool Has(string field) => Get(field) is not null;

    /// <summary>How many items the list field holds as written (0 when absent or not a list).</summary>
    public int CountOf(string field) => Get(field) is { ValueKind: JsonValueKind.Array } value ? value.GetArrayLength() : 0;

    public string? String(string field)
    {
        if (Get(field) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            TypeError(field, value, "a string");
            return null;
        }

        return value.GetString();
    }

    /// <summary>A string field that is empty when unset, as proto3 strings are.</summary>
    public string RequiredString(string field) => String(field) ?? string.Empty;

    /// <summary>A proto3 bool: false when unset.</summary>
    public bool Bool(string field) => OptionalBool(field) ?? false;

    /// <summary>A google.protobuf.BoolValue: null when unset.</summary>
    public bool? OptionalBool(string field)
    {
        if (Get(field) is not { } value)
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        TypeError(field, value, "a boolean");
        return null;
    }

    public int Int32(string field) => (int)(Integer(field, int.MinValue, int.MaxValue, "a 32-bit integer") ?? 0);

    public uint UInt32(string field) => OptionalUInt32(field) ?? 0;

    /// <summary>A google.protobuf.UInt32Value: null when unset.</summary>
    public uint? OptionalUInt32(string field) => (uint?)Integer(field, 0, uint.MaxValue, "an unsigned 32-bit integer");

    public int? OptionalInt32(string field) => (int?)Integer(field, int.MinValue, int.MaxValue, "a 32-bit integer");

    public ulong UInt64(string field)
    {
        if (Get(field) is not { } value)
        {
            return 0;
        }

        if ((value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var number)) ||
            (value.ValueKind == JsonValueKind.String && ulong.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out number)))
        {
            return number;
        }

        TypeError(field, value, "an unsigned 64-bit integer");
        return 0;
    }

    public double Double(string field)
    {
        if (Get(field) is not { } value)
        {
            return 0;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number))
        {
            return number;
        }

        TypeError(field, value, "a number");
        return 0;
    }

    /// <summary>A google.protobuf.Duration in its JSON form ("1.5s") or as Go writes it ("100ms", "1h30m"), as Istio reads it; null when unset or invalid.</summary>
    public TimeSpan? Duration(string field)
    {
        var text = String(field);
        if (text is null)
        {
            return null;
        }

        if (ProtobufDuration.TryParse(text, out var duration))
        {
            return duration;
        }

        Error(field, $"{SpecReader.Quote(text)} is not a duration (e.g. \"1.5s\", \"100ms\" or \"1h30m\")");
        return null;
    }

    /// <summary>A proto3 enum by its Istio name (e.g. LEAST_CONN): <paramref name="unset"/> when absent.</summary>
    public TEnum Enum<TEnum>(string field, TEnum unset)
        where TEnum : struct, Enum => OptionalEnum<TEnum>(field) ?? unset;

    public TEnum? OptionalEnum<TEnum>(string field)
        where TEnum : struct, Enum
    {
        var text = String(field);
        if (text is null)
        {
            return null;
        }

        if (IstioEnums.TryParse<TEnum>(text, out var value))
        {
            return value;
        }

        Error(field, $"{SpecReader.Quote(text)} is not one of {string.Join(", ", IstioEnums.Names<TEnum>())}");
        return null;
    }

    public ValueList<string> Strings(string field) => List(field, "a string", (item, path) =>
    {
        if (item.ValueKind == JsonValueKind.String)
        {
            return item.GetString();
        }

        Spec.Error(path, $"must be a string, not {SpecReader.Describe(item.ValueKind)}");
        return null;
    });

    /// <summary>A repeated message field; items that fail to parse are left out (their errors are recorded).</summary>
    public ValueList<T> Messages<T>(string field, Func<FieldReader, T?> parse)
        where T : class => List(field, "an object", (item, path) => ReadObject(item, path, parse));

    /// <summary>A message field: null when absent or not an object (then an error is recorded).</summary>
    public T? Message<T>(string field, Func<FieldReader, T?> parse)
        where T : class => Get(field) is { } value ? ReadObject(value, At(field), parse) : null;

    public ValueMap<string> StringMap(string field) => Map(field, (item, path) =>
    {
        if (item.ValueKind == JsonValueKind.String)
        {
            return item.GetString();
        }

        Spec.Error(path, $"must be a string, not {SpecReader.Describe(item.ValueKind)}");
        return null;
    });

    public ValueMap<uint> UInt32Map(string field)
    {
        var map = Map<object>(field, (item, path) =>
        {
            if ((item.ValueKind == JsonValueKind.Number && item.TryGetUInt32(out var number)) ||
                (item.ValueKind == JsonValueKind.String && uint.TryParse(item.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out number)))
            {
                return number;
            }

            Spec.Error(path, "must be an unsigned 32-bit integer");
            return null;
        });
        return ValueMap<uint>.From(map.Select(pair => KeyValuePair.Create(pair.Key, (uint)pair.Value)));
    }

    /// <summary>A map of messages; entries that fail to parse are left out (their errors are recorded).</summary>
    public ValueMap<T> MessageMap<T>(string field, Func<FieldReader, T?> parse)
        where T : class => Map(field, (item, path) => ReadObject(item, path, parse));

    /// <summary>Warns about every field of this object no accessor asked for: the CRD's structural schema prunes those.</summary>
    internal void WarnUnknownFields()
    {
        foreach (var property in _object.EnumerateObject())
        {
            if (!_read.Contains(property.Name))
            {
                Spec.Warning($"{Path}[{SpecReader.Quote(property.Name)}]", "unknown field, ignored (the API server's structural schema prunes it)");
            }
        }
    }

    private T? ReadObject<T>(JsonElement value, string path, Func<FieldReader, T?> parse)
        where T : class
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            Spec.Error(path, $"must be an object, not {SpecReader.Describe(value.ValueKind)}");
            return null;
        }

        var reader = new FieldReader(Spec, value, path);
        var result = parse(reader);
        reader.WarnUnknownFields();
        return result;
    }

    private ValueList<T> List<T>(string field, string itemKind, Func<JsonElement, string, T?> read)
        where T : class
    {
        if (Get(field) is not { } value)
        {
            return ValueList<T>.Empty;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            TypeError(field, value, $"a list of {itemKind}s");
            return ValueList<T>.Empty;
        }

        var items = ImmutableArray.CreateBuilder<T>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var path = $"{At(field)}[{index++}]";
            if (item.ValueKind == JsonValueKind.Null)
            {
                Spec.Error(path, "may not be null");
                continue;
            }

            if (read(item, path) is { } parsed)
            {
                items.Add(parsed);
            }
        }

        return items.ToImmutable();
    }

    private ValueMap<T> Map<T>(string field, Func<JsonElement, string, T?> read)
        where T : class
    {
        if (Get(field) is not { } value)
        {
            return ValueMap<T>.Empty;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            TypeError(field, value, "a map");
            return ValueMap<T>.Empty;
        }

        var entries = ImmutableSortedDictionary.CreateBuilder<string, T>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            var path = $"{At(field)}[{SpecReader.Quote(property.Name)}]";
            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                Spec.Error(path, "may not be null");
                continue;
            }

            if (read(property.Value, path) is { } parsed)
            {
                entries[property.Name] = parsed;
            }
        }

        return new ValueMap<T>(entries.ToImmutable());
    }

    private long? Integer(string field, long min, long max, string what)
    {
        if (Get(field) is not { } value)
        {
            return null;
        }

        if ((value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)) ||
            (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number)))
        {
            if (number >= min && number <= max)
            {
                return number;
            }
        }

        TypeError(field, value, what);
        return null;
    }

    private JsonElement? Get(string field)
    {
        _read.Add(field);
        return _object.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
    }

    private void TypeError(string field, JsonElement value, string expected) =>
        Error(field, value.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? $"must be {expected}, not {SpecReader.Quote(value.ToString())}"
            : $"must be {expected}, not {SpecReader.Describe(value.ValueKind)}");
}
