using System.Text;

namespace Dokkaa.Dns.Wire;

/// <summary>
/// Domain names in wire form (RFC 1035 3.1): length-prefixed labels ending in the root's zero octet.
/// Reading follows compression pointers (4.1.4) with bounds and loop protection.
/// </summary>
internal static class DnsName
{
    /// <summary>The root name in wire form.</summary>
    public static ReadOnlySpan<byte> Root => [0];

    /// <summary>
    /// Reads the possibly compressed name at <paramref name="offset"/> into <paramref name="destination"/>
    /// (at least 255 bytes) as an uncompressed wire name, root included. False when the name runs past the
    /// message, uses a reserved label type, is longer than 255 octets, or has a pointer that does not point
    /// strictly before the labels it interrupts (which is what makes a loop impossible: every jump goes
    /// further back). <paramref name="end"/> is where the name ends at its original position.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> message, int offset, Span<byte> destination, bool lowercase, out int length, out int end)
    {
        length = 0;
        end = -1;
        var position = offset;
        // Start of the run of labels being read: a pointer must land before it.
        var runStart = offset;
        var written = 0;
        while (true)
        {
            if ((uint)position >= (uint)message.Length)
                return false;
            var octet = message[position];
            switch (octet & 0xC0)
            {
                case 0x00:
                    if (octet == 0)
                    {
                        if (written + 1 > DnsConstants.MaxNameLength)
                            return false;
                        destination[written++] = 0;
                        if (end < 0)
                            end = position + 1;
                        length = written;
                        return true;
                    }

                    // The label, and room for at least the root after it.
                    if (position + 1 + octet > message.Length || written + 1 + octet + 1 > DnsConstants.MaxNameLength)
                        return false;
                    destination[written] = octet;
                    var label = message.Slice(position + 1, octet);
                    var target = destination.Slice(written + 1, octet);
                    label.CopyTo(target);
                    if (lowercase)
                        ToLower(target);
                    written += 1 + octet;
                    position += 1 + octet;
                    break;

                case 0xC0:
                    if (position + 1 >= message.Length)
                        return false;
                    var pointer = ((octet & 0x3F) << 8) | message[position + 1];
                    if (end < 0)
                        end = position + 2;
                    if (pointer >= runStart)
                        return false;
                    position = runStart = pointer;
                    break;

                default:
                    // 0x40 (extended label types, RFC 6891 5) and 0x80 are not labels.
                    return false;
            }
        }
    }

    /// <summary>Lowercases ASCII letters of a wire name in place; length octets are below 64 and unaffected.</summary>
    public static void ToLower(Span<byte> name)
    {
        for (var i = 0; i < name.Length; i++)
            name[i] = Lower(name[i]);
    }

    public static byte Lower(byte b) => (uint)(b - 'A') <= 'Z' - 'A' ? (byte)(b | 0x20) : b;

    /// <summary>
    /// When <paramref name="name"/> (lowercase wire form) is <paramref name="zone"/> or under it, the length of
    /// the labels in front of the zone (0 for the apex).
    /// </summary>
    public static bool TrySplitZone(ReadOnlySpan<byte> name, ReadOnlySpan<byte> zone, out int relativeLength)
    {
        var position = 0;
        while (position < name.Length)
        {
            if (name.Length - position == zone.Length && name[position..].SequenceEqual(zone))
            {
                relativeLength = position;
                return true;
            }

            if (name[position] == 0)
                break;
            position += 1 + name[position];
        }

        relativeLength = 0;
        return false;
    }

    /// <summary>
    /// The wire form of a dotted name ("1.web.service.container", a trailing dot allowed), root included,
    /// lowercased. Throws <see cref="ArgumentException"/> for empty labels, labels over 63 octets, names
    /// over 255 octets or non-ASCII text.
    /// </summary>
    public static byte[] FromText(string text)
    {
        var trimmed = text.EndsWith('.') ? text[..^1] : text;
        if (trimmed.Length == 0)
            return [0];
        if (!Ascii.IsValid(trimmed))
            throw new ArgumentException($"'{text}' is not an ASCII domain name", nameof(text));
        var labels = trimmed.Split('.');
        var length = labels.Sum(l => l.Length + 1) + 1;
        if (length > DnsConstants.MaxNameLength)
            throw new ArgumentException($"'{text}' is longer than 255 octets", nameof(text));
        var wire = new byte[length];
        var position = 0;
        foreach (var label in labels)
        {
            if (label.Length is 0 or > DnsConstants.MaxLabelLength)
                throw new ArgumentException($"'{text}' has an empty label or one longer than 63 octets", nameof(text));
            wire[position++] = (byte)label.Length;
            foreach (var c in label)
                wire[position++] = Lower((byte)c);
        }

        wire[position] = 0;
        return wire;
    }

    /// <summary>The dotted text of a wire name (uncompressed), with the trailing dot: "1.web.service.container.".</summary>
    public static string ToText(ReadOnlySpan<byte> name)
    {
        if (name.Length == 0 || name[0] == 0)
            return ".";
        var text = new StringBuilder();
        var position = 0;
        while (position < name.Length && name[position] != 0)
        {
            var length = name[position];
            foreach (var b in name.Slice(position + 1, length))
            {
                if (b is (byte)'.' or (byte)'\\')
                    text.Append('\\').Append((char)b);
                else if (b is > 0x20 and < 0x7F)
                    text.Append((char)b);
                else
                    text.Append('\\').Append(b.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
            }

            text.Append('.');
            position += 1 + length;
        }

        return text.ToString();
    }
}
