namespace ControlPlane.Benchmarks.Load;

/// <summary>
/// Walks protobuf wire format without building messages: the simulated proxies read only the few
/// fields an Envoy needs to decide what to subscribe to next, so the load generator stays cheap.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>The current field's number (valid after <see cref="Next"/> returned true).</summary>
    public int Field { get; private set; }

    /// <summary>The current field's wire type: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32.</summary>
    public int WireType { get; private set; }

    /// <summary>Moves to the next field; false at the end.</summary>
    /// <exception cref="FormatException">When the bytes are not protobuf.</exception>
    public bool Next()
    {
        if (_position >= _data.Length)
        {
            return false;
        }

        var tag = ReadVarint();
        Field = (int)(tag >> 3);
        WireType = (int)(tag & 7);
        return Field > 0 ? true : throw new FormatException("field number 0");
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw new FormatException("truncated varint");
            }

            var b = _data[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new FormatException("varint longer than 10 bytes");
    }

    /// <summary>The bytes of a length-delimited field (a string, bytes or a nested message).</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        var length = (int)ReadVarint();
        if (length < 0 || length > _data.Length - _position)
        {
            throw new FormatException("length past the end of the message");
        }

        var bytes = _data.Slice(_position, length);
        _position += length;
        return bytes;
    }

    /// <summary>Steps over the current field's value, whatever its wire type.</summary>
    public void Skip()
    {
        switch (WireType)
        {
            case 0:
                ReadVarint();
                break;
            case 1:
                Advance(8);
                break;
            case 2:
                ReadBytes();
                break;
            case 5:
                Advance(4);
                break;
            default:
                throw new FormatException($"unsupported wire type {WireType}");
        }
    }

    private void Advance(int count)
    {
        if (count > _data.Length - _position)
        {
            throw new FormatException("fixed field past the end of the message");
        }

        _position += count;
    }
}
