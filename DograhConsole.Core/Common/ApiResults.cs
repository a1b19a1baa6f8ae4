using Microsoft.AspNetCore.Http;

namespace DograhConsole.Core.Common;

/// <summary>Maps service outcomes to HTTP: 400 ValidationProblem naming fields, 404, 409 with a machine-readable code.</summary>
public static class ApiResults
{
    public static IResult ToHttpResult<T>(this OperationResult<T> result, Func<T, IResult> onSuccess) => result.Failure switch
    {
        OperationFailure.None => onSuccess(result.Value!),
        OperationFailure.Invalid => Results.ValidationProblem(
            result.Errors, detail: result.Message, extensions: new Dictionary<string, object?> { ["code"] = result.Code }),
        OperationFailure.NotFound => Problem(StatusCodes.Status404NotFound, "Not found", result),
        OperationFailure.Conflict => Problem(StatusCodes.Status409Conflict, "Conflict", result),
        OperationFailure.Forbidden => Problem(StatusCodes.Status403Forbidden, "Forbidden", result),
        _ => throw new InvalidOperationException($"Unhandled failure {result.Failure}."),
    };

    private static IResult Problem<T>(int status, string title, OperationResult<T> result)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = result.Code };
        if (result.Errors.Count > 0)
        {
            extensions["field"] = result.Errors.Keys.First();
            extensions["errors"] = result.Errors;
        }
        return Results.Problem(statusCode: status, title: title, detail: result.Message, extensions: extensions);
    }
}
