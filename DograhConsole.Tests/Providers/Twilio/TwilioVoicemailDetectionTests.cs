using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Twilio;

/// <summary>Asynchronous answering machine detection through the fake: the request, the signed callback, the record and the workflow's branch.</summary>
[Trait("Category", "Host")]
public sealed class TwilioVoicemailDetectionTests(TwilioConsoleFixture fixture) : IClassFixture<TwilioConsoleFixture>
{
    [Theory]
    [InlineData("wait-for-beep", "DetectMessageEnd", "machine_end_beep", "machine", "left a message")]
    [InlineData("detect", "Enable", "human", "human", "spoke to a person")]
    [InlineData("detect", "Enable", "fax", "machine", "left a message")]
    [InlineData("detect", "Enable", "unknown", "unknown", "spoke to a person")]
    public async Task The_answer_reaches_the_record_and_the_workflow_branches_on_it(
        string mode, string twilioMode, string answeredBy, string expected, string disposition)
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var setup = await fixture.SetUpAsync(twilio, definition: TestWorkflows.Voicemail);
        var to = Samples.UniqueE164();
        twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMinutes(1)) with
        {
            AnsweredBy = answeredBy,
            DetectionMilliseconds = 300,
        };

        var callId = await InitiateAsync(setup, to, mode);

        var fakeCall = await twilio.WaitForCallAsync(to);
        Assert.Equal(twilioMode, fakeCall.MachineDetection);
        Assert.Equal("true", fakeCall.AsyncAmd);
        Assert.Equal(TwilioTestKit.PublicUrl(TwilioRoutes.MachineDetectionPath(callId)), fakeCall.AsyncAmdStatusCallback);
        var done = await setup.WaitForCallAsync(callId, call => call.Status() == "completed", "completed");

        Assert.Equal(mode, done.GetProperty("voicemailDetection").GetString());
        Assert.Equal(expected, done.GetProperty("answeredBy").GetString());
        Assert.Equal(answeredBy, done.GetProperty("answeredByDetail").GetString());
        Assert.Equal(300, done.GetProperty("detectionMilliseconds").GetInt32());
        Assert.Equal(expected, done.GetProperty("context").GetProperty("answered_by").GetString());
        Assert.Equal(disposition, done.GetProperty("disposition").GetString());
        Assert.Contains(done.Events("detection"), e => e.GetProperty("message").GetString()!.StartsWith($"Answered by {expected} ({answeredBy}) after 0.3 s", StringComparison.Ordinal));
        Assert.Contains(fakeCall.MachineDetectionCallbacks, c => c.AnsweredBy == answeredBy && c.Response == HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_call_without_detection_asks_Twilio_for_none()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var setup = await fixture.SetUpAsync(twilio, definition: TestWorkflows.Voicemail);
        var to = Samples.UniqueE164();

        var callId = await InitiateAsync(setup, to, mode: null);

        var fakeCall = await twilio.WaitForCallAsync(to);
        Assert.Null(fakeCall.MachineDetection);
        Assert.Null(fakeCall.AsyncAmdStatusCallback);
        // The branch does not wait for an answer that was never asked for: answered_by is simply empty.
        var done = await setup.WaitForCallAsync(callId, call => call.Status() == "completed", "completed");
        Assert.Equal("off", done.GetProperty("voicemailDetection").GetString());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("answeredBy").ValueKind);
        Assert.Equal("spoke to a person", done.GetProperty("disposition").GetString());
    }

    [Fact]
    public async Task A_forged_or_unknown_detection_callback_changes_nothing()
    {
        await using var twilio = await fixture.StartTwilioAsync();
        var setup = await fixture.SetUpAsync(twilio, definition: TestWorkflows.Menu);
        var to = Samples.UniqueE164();
        // Detection is left to the test: the fake sends no callback of its own.
        twilio.Outcomes = (_, _) => FakeTwilioOutcome.Answered(TimeSpan.FromMinutes(1)) with { Detects = false };
        var callId = await InitiateAsync(setup, to, "detect");
        var fakeCall = await twilio.WaitForCallAsync(to);
        await setup.WaitForCallAsync(callId, call => call.HasStep("menu"), "the menu step");

        var url = fakeCall.AsyncAmdStatusCallback!;
        KeyValuePair<string, string>[] form = [new("AccountSid", twilio.AccountSid), new("CallSid", fakeCall.Sid), new("AnsweredBy", "machine_end_beep")];
        using (var forged = await twilio.PostSignedAsync(url, form, authToken: "0123456789abcdef0123456789abcdef"))
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        KeyValuePair<string, string>[] unknown = [new("AccountSid", twilio.AccountSid), new("CallSid", fakeCall.Sid), new("AnsweredBy", "robot")];
        using (var odd = await twilio.PostSignedAsync(url, unknown))
            Assert.Equal(HttpStatusCode.BadRequest, odd.StatusCode);

        var call = await setup.CallAsync(callId);
        Assert.Equal(JsonValueKind.Null, call.GetProperty("answeredBy").ValueKind);
        Assert.Empty(call.Events("detection"));
        await setup.Api.PostAsync($"/api/v1/calls/{callId}/hangup", null);
    }

    private static async Task<Guid> InitiateAsync(TwilioSetup setup, string to, string? mode)
    {
        using var response = await setup.Api.PostAsJsonAsync("/api/v1/telephony/initiate-call",
            new { workflowId = setup.WorkflowId, toNumber = to, voicemailDetection = mode });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("callId").GetGuid();
    }
}
