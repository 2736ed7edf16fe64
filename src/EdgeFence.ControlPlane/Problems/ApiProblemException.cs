namespace EdgeFence.ControlPlane.Problems;

/// <summary>
/// Ends a request with a problem answer. Thrown inside a change, it also rolls the change back: nothing
/// is half-written.
/// </summary>
public sealed class ApiProblemException : Exception
{
    public ApiProblemException(int status, string reason, string title, string? detail = null, IReadOnlyList<FieldError>? errors = null)
        : base(detail ?? title)
    {
        Status = status;
        Reason = reason;
        Title = title;
        Detail = detail;
        Errors = errors is { Count: > 0 } ? errors : null;
    }

    public int Status { get; }

    /// <summary>The stable last part of the problem <c>type</c>: <c>urn:edgefence:problem:&lt;reason&gt;</c>.</summary>
    public string Reason { get; }

    public string Title { get; }
    public string? Detail { get; }
    public IReadOnlyList<FieldError>? Errors { get; }

    public static ApiProblemException Invalid(IReadOnlyList<FieldError> errors) =>
        new(400, "invalid-request", "The request is invalid", errors.Count == 1 ? $"{errors[0].Field}: {errors[0].Message}" : $"{errors.Count} fields are invalid; see errors", errors);

    public static ApiProblemException Invalid(string field, string message) => Invalid([new FieldError(field, message)]);

    public static ApiProblemException NotFound(string what, string id) =>
        new(404, "not-found", "Not found", $"no {what} '{id}'");

    public static ApiProblemException Conflict(string reason, string detail) => new(409, reason, "Conflict", detail);

    public ProblemBody ToBody() => new()
    {
        Type = "urn:edgefence:problem:" + Reason,
        Title = Title,
        Status = Status,
        Detail = Detail,
        Field = Errors?[0].Field,
        Errors = Errors,
    };
}
