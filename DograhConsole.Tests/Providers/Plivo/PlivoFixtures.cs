namespace DograhConsole.Tests.Providers.Plivo;

/// <summary>
/// Plivo's own response bodies, as data: copied from the official SDK fixtures in ../shared/specs/plivo/sdk-fixtures
/// (PlivoApiContractTests checks they still match the files). The fake answers with them, ids swapped for its own.
/// </summary>
public static class PlivoFixtures
{
    public const string CallCreateFile = "callCreateResponse.json";
    public const string CallCreate = """
        {
          "message": "call fired",
          "request_uuid": "9834029e-58b6-11e1-b8b7-a5bd0e4e126f",
          "api_id": "97ceeb52-58b6-11e1-86da-77300b68f8bb"
        }
        """;

    public const string CallUpdateFile = "callUpdateResponse.json";
    public const string CallUpdate = """
        {
          "message": "call transfered",
          "api_id": "95727cf4-3eeb-11e7-86da-adf28403fe48"
        }
        """;

    /// <summary>Every embedded body with the fixture file it was copied from.</summary>
    public static IReadOnlyDictionary<string, string> ByFile { get; } = new Dictionary<string, string>
    {
        [CallCreateFile] = CallCreate,
        [CallUpdateFile] = CallUpdate,
    };
}
