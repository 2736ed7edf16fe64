namespace EdgeFence.SnapshotTool;

/// <summary><c>--name value</c> pairs of one command, each name at most once and from a known set.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

    private Options()
    {
    }

    public static Options Parse(string[] args, params string[] known)
    {
        var options = new Options();
        for (int i = 0; i < args.Length; i += 2)
        {
            string name = args[i];
            if (Array.IndexOf(known, name) < 0)
            {
                throw new ToolInputException($"unknown option {name}; this command takes {string.Join(", ", known)}");
            }

            if (i + 1 >= args.Length)
            {
                throw new ToolInputException($"{name} needs a value");
            }

            if (!options.values.TryAdd(name, args[i + 1]))
            {
                throw new ToolInputException($"{name} given twice");
            }
        }

        return options;
    }

    public string Required(string name) =>
        values.TryGetValue(name, out string? value) ? value : throw new ToolInputException($"{name} is required");

    public string? Optional(string name) => values.GetValueOrDefault(name);
}
