namespace DograhConsole.Core.Common;

public enum OperationFailure
{
    None,
    Invalid,
    NotFound,
    Conflict,
    /// <summary>The caller's role does not allow it.</summary>
    Forbidden,
}

/// <summary>
/// The outcome of a service operation: a value, or a failure that both the UI (as a message) and the
/// API (as ProblemDetails) can show. Field errors are keyed by the API's camelCase field path.
/// </summary>
public sealed class OperationResult<T>
{
    private OperationResult(T? value, OperationFailure failure, string? message, IReadOnlyDictionary<string, string[]>? errors, string? code)
    {
        Value = value;
        Failure = failure;
        Message = message;
        Errors = errors ?? new Dictionary<string, string[]>();
        Code = code;
    }

    public T? Value { get; }
    public OperationFailure Failure { get; }
    public bool Succeeded => Failure == OperationFailure.None;
    public string? Message { get; }
    public IReadOnlyDictionary<string, string[]> Errors { get; }
    public string? Code { get; }

    public static OperationResult<T> Success(T value) => new(value, OperationFailure.None, null, null, null);

    public static OperationResult<T> Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(default, OperationFailure.Invalid, "One or more fields are invalid.", errors, "validation_failed");

    public static OperationResult<T> Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static OperationResult<T> NotFound(string message) => new(default, OperationFailure.NotFound, message, null, "not_found");

    public static OperationResult<T> Conflict(string message, string code = "conflict", string? field = null) =>
        new(default, OperationFailure.Conflict, message, field is null ? null : new Dictionary<string, string[]> { [field] = [message] }, code);

    public static OperationResult<T> Forbidden(string message) => new(default, OperationFailure.Forbidden, message, null, "forbidden");

    /// <summary>Every message, field errors first, for a UI that shows one line.</summary>
    public string Describe() =>
        Errors.Count > 0 ? string.Join(" ", Errors.SelectMany(e => e.Value)) : Message ?? string.Empty;

    public OperationResult<TOther> Map<TOther>(Func<T, TOther> map) =>
        Succeeded ? OperationResult<TOther>.Success(map(Value!)) : new(default, Failure, Message, Errors, Code);
}

/// <summary>Collects field errors while validating one input.</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    public bool Has(string field) => _errors.ContainsKey(field);

    /// <summary>A clash with existing data (a taken name, a routed address): reported as 409 when nothing else is wrong.</summary>
    public (string Field, string Message)? Conflict { get; private set; }

    public void AddConflict(string field, string message)
    {
        Conflict ??= (field, message);
        Add(field, message);
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public OperationResult<T> ToResult<T>() =>
        Conflict is { } clash && _errors.Count == 1 && _errors[clash.Field].Count == 1
            ? OperationResult<T>.Conflict(clash.Message, "duplicate", clash.Field)
            : OperationResult<T>.Invalid(ToDictionary());
}
