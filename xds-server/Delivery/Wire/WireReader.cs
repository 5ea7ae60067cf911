namespace ControlPlane.XdsServer.Delivery.Wire;

/// <summary>Reads protobuf wire format from a byte array: tags, varints, and where length-delimited fields lie.</summary>
internal ref struct WireReader
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int StartGroup = 3;
    public const int EndGroup = 4;
    public const int Fixed32 = 5;

    /// <summary>How deep groups may nest, as protobuf's default recursion limit.</summary>
    private const int MaxGroupDepth = 100;

    private readonly ReadOnlySpan<byte> _bytes;
    private int _position;

    public WireReader(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
        _position = 0;
    }

    public readonly bool AtEnd => _position >= _bytes.Length;

    /// <exception cref="FormatException">A malformed tag.</exception>
    public (int Field, int WireType) ReadTag()
    {
        var tag = ReadVarint();
        var field = (int)(tag >> 3);
        if (field <= 0 || tag > uint.MaxValue)
        {
            throw new FormatException("invalid field tag");
        }

        return (field, (int)(tag & 7));
    }

    /// <summary>Offset and length of the length-delimited field whose tag was just read.</summary>
    public (int Offset, int Length) ReadLengthDelimited()
    {
        var length = ReadVarint();
        if (length > (ulong)(_bytes.Length - _position))
        {
            throw new FormatException("a length-delimited field runs past the end of the message");
        }

        var offset = _position;
        _position += (int)length;
        return (offset, (int)length);
    }

    /// <summary>Skips a field of a wire type other than length-delimited (groups are refused).</summary>
    /// <summary>Skips the field whose tag (<paramref name="field"/>, <paramref name="wireType"/>) was just read; a group with everything up to its end tag.</summary>
    /// <exception cref="FormatException">A malformed field, an end tag with no group open, or groups nested over 100 deep.</exception>
    public void Skip(int field, int wireType) => Skip(field, wireType, 0);

    private void Skip(int field, int wireType, int depth)
    {
        switch (wireType)
        {
            case StartGroup:
                if (depth >= MaxGroupDepth)
                {
                    throw new FormatException("groups nested too deep");
                }

                while (true)
                {
                    var (inner, innerType) = ReadTag();
                    if (innerType == EndGroup)
                    {
                        if (inner != field)
                        {
                            throw new FormatException("a group ends with another field's end tag");
                        }

                        return;
                    }

                    Skip(inner, innerType, depth + 1);
                }

            case Varint:
                ReadVarint();
                break;
            case Fixed64:
                Advance(8);
                break;
            case LengthDelimited:
                ReadLengthDelimited();
                break;
            case Fixed32:
                Advance(4);
                break;
            default:
                throw new FormatException($"unsupported wire type {wireType}");
        }
    }

    private void Advance(int count)
    {
        if (count > _bytes.Length - _position)
        {
            throw new FormatException("a field runs past the end of the message");
        }

        _position += count;
    }

    private ulong ReadVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _bytes.Length)
            {
                throw new FormatException("truncated varint");
            }

            var b = _bytes[_position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new FormatException("malformed varint");
    }
}
