namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>
/// The operations the fake checks requests against, copied from Telnyx's OpenAPI file (spec3.json); the contract
/// test keeps this table equal to that file.
/// </summary>
public static class FakeTelnyxSpec
{
    public static readonly IReadOnlyList<FakeTelnyxOperation> Operations =
    [
        new("POST", "/calls", "CallRequest", ["connection_id", "to", "from"]),
        new("POST", "/calls/{call_control_id}/actions/answer", "AnswerRequest", []),
        new("POST", "/calls/{call_control_id}/actions/hangup", "HangupRequest", []),
        new("POST", "/calls/{call_control_id}/actions/reject", "RejectRequest", ["cause"]),
        new("POST", "/calls/{call_control_id}/actions/transfer", "TransferCallRequest", ["to"]),
        new("GET", "/call_control_applications/{id}", null, []),
        new("PATCH", "/call_control_applications/{id}", "UpdateCallControlApplicationRequest", ["application_name", "webhook_event_url"]),
        new("GET", "/phone_numbers", null, []),
        new("PATCH", "/phone_numbers/{id}", "UpdatePhoneNumberRequest", []),
    ];

    public static FakeTelnyxOperation Find(string method, string specPath) =>
        Operations.Single(o => o.Method == method && o.SpecPath == specPath);
}
