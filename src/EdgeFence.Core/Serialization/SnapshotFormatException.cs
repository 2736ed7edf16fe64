namespace EdgeFence.Core.Serialization;

/// <summary>
/// The bytes are not a snapshot this build can read: truncated, corrupt, of an unknown format version, or
/// beyond <see cref="SnapshotLimits"/>. The message names the offending field, as in
/// <c>sites[2].hosts: expected array, found nil</c>.
/// </summary>
public sealed class SnapshotFormatException : Exception
{
    private readonly string problem;

    // False for problems of the whole input (truncated, trailing bytes): no element path makes them clearer.
    private readonly bool locatable;

    public SnapshotFormatException()
        : this(field: null, "snapshot is malformed", innerException: null, locatable: false)
    {
    }

    public SnapshotFormatException(string message)
        : this(field: null, message, innerException: null, locatable: false)
    {
    }

    public SnapshotFormatException(string message, Exception innerException)
        : this(field: null, message, innerException, locatable: false)
    {
    }

    private SnapshotFormatException(string? field, string problem, Exception? innerException, bool locatable)
        : base(field is null ? problem : field + ": " + problem, innerException)
    {
        Field = field;
        this.problem = problem;
        this.locatable = locatable;
    }

    /// <summary>Path of the offending field (<c>tokens[7].hash</c>), or null when the snapshot as a whole is at fault.</summary>
    public string? Field { get; }

    /// <summary>A problem with <paramref name="field"/>, or with the current element when it is null.</summary>
    internal static SnapshotFormatException At(string? field, string problem) => new(field, problem, innerException: null, locatable: true);

    /// <summary>
    /// The same problem, located inside element <paramref name="index"/> of <paramref name="list"/>. Paths are
    /// built only on failure, so a successful decode never formats a field name.
    /// </summary>
    internal SnapshotFormatException Within(string list, int index)
    {
        if (!locatable)
        {
            return this;
        }

        string element = $"{list}[{index}]";
        return new SnapshotFormatException(Field is null ? element : element + "." + Field, problem, InnerException, locatable: true);
    }
}
