using EdgeFence.ControlPlane.Problems;

namespace EdgeFence.ControlPlane.Validation;

/// <summary>
/// Collects what is wrong with a request body, by field, so one 400 lists every mistake. These are the
/// checks the JSON alone can fail (missing, wrong range, unknown enum name); whether the result makes sense
/// with the rest of the configuration is the snapshot validator's call, inside the change.
/// </summary>
internal sealed class RequestErrors
{
    private readonly List<FieldError> _errors = [];

    public void Add(string field, string message) => _errors.Add(new FieldError(field, message));

    public string Required(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "required, must not be empty");
            return "";
        }

        return value;
    }

    public List<string> Strings(List<string?>? values, string field)
    {
        var result = new List<string>();
        if (values is null)
        {
            return result;
        }

        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i];
            if (string.IsNullOrWhiteSpace(value))
            {
                Add($"{field}[{i}]", "must be a non-empty string");
            }
            else
            {
                result.Add(value);
            }
        }

        return result;
    }

    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            throw ApiProblemException.Invalid(_errors);
        }
    }
}
