using System.Text;

namespace EdgeFence.Edge.Revocations;

/// <summary>
/// <c>channel.state</c>: the stream id read up to, when the control plane was last heard, and the signed entries
/// no served snapshot or wallet book carries yet (base64, verified again when read). Text, one item a line,
/// replaced whole through a temporary file so a crash leaves the old one or the new one.
/// </summary>
internal sealed class ChannelStateFile
{
    private const string Header = "edgefence-channel-state 1";

    /// <summary>Entries restored at most: a damaged or hostile file cannot make the edge verify without end.</summary>
    private const int MaxEntries = 100_000;

    private readonly string _path;

    public ChannelStateFile(string path) => _path = path;

    public bool TryRead(out string cursor, out long heardMs, out List<(byte[] Bytes, byte[] Signature)> entries)
    {
        cursor = "0-0";
        heardMs = 0;
        entries = [];
        if (!File.Exists(_path))
        {
            return false;
        }

        var lines = File.ReadAllLines(_path);
        if (lines.Length < 3 || lines[0] != Header || !long.TryParse(lines[2], System.Globalization.CultureInfo.InvariantCulture, out heardMs))
        {
            return false;
        }

        cursor = lines[1];
        foreach (var line in lines.AsSpan(3))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (entries.Count >= MaxEntries || space < 0)
            {
                break;
            }

            try
            {
                entries.Add((Convert.FromBase64String(line[..space]), Convert.FromBase64String(line[(space + 1)..])));
            }
            catch (FormatException)
            {
                // A damaged line: skipped; the entry is re-read from the stream or carried by the next snapshot.
            }
        }

        return true;
    }

    public void Write(string cursor, long heardMs, List<(byte[] Bytes, byte[] Signature)> entries)
    {
        var text = new StringBuilder().Append(Header).Append('\n').Append(cursor).Append('\n').Append(heardMs.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        foreach (var (bytes, signature) in entries)
        {
            text.Append(Convert.ToBase64String(bytes)).Append(' ').Append(Convert.ToBase64String(signature)).Append('\n');
        }

        var temp = _path + ".tmp";
        File.WriteAllText(temp, text.ToString());
        File.Move(temp, _path, overwrite: true);
    }
}
