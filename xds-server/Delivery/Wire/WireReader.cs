namespace ControlPlane.XdsServer.Delivery.Wire;

/// <summary>Reads protobuf wire format from a byte array: tags, varints, and where length-delimited fields lie.</summary>
internal ref struct WireReader
{
    public const int Varint = 0;
    public const int Fixed64 = 1;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

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
    public void Skip(int wireType)
    {
        switch (wireType)
        {
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
