using System.Net.WebSockets;
using DograhConsole.Core.Calls;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Providers.Ari;

/// <summary>With Dograh:Ari:RequireMediaToken, the console passes v(token=...) per call and refuses sockets without a valid one.</summary>
[Trait("Category", "Host")]
public sealed class AriMediaTokenTests(AriTokenConsoleHost host) : IClassFixture<AriTokenConsoleHost>
{
    [Fact]
    public async Task The_per_call_token_is_passed_in_transport_data_and_accepted()
    {
        await using var scenario = await AriScenario.StartAsync(host);
        var caller = await scenario.Fake.DialInAsync(scenario.Extension, "6301");
        var media = await scenario.WaitForMediaAsync();
        await Eventually.TrueAsync(() => AriScenario.LoudFrames(media) >= 10, "audio on the token-checked socket");
        Assert.Contains(scenario.Fake.Requests, r => r.Contains("transport_data=v%28token%3D", StringComparison.Ordinal));
        await scenario.Fake.HangUpFromPhoneAsync(caller.Id);
        await scenario.WaitForCallAsync(c => c.Status == CallStatus.Completed, "the call to complete");
    }

    [Fact]
    public async Task A_socket_with_a_forged_token_is_closed_and_the_call_does_not_stay_up()
    {
        await using var scenario = await AriScenario.StartAsync(host);
        scenario.Fake.ForgedToken = "forged-token";
        await scenario.Fake.DialInAsync(scenario.Extension, "6302");
        var media = await scenario.WaitForMediaAsync();
        await Eventually.TrueAsync(() => media.IsClosed, "the socket closed");
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, media.CloseStatus);
        Assert.True(scenario.Logged("missing or invalid media token"));
        var ended = await scenario.WaitForCallAsync(c => c.Status.IsTerminal(), "the call to end");
        Assert.Equal(CallStatus.Failed, ended.Status);
        Assert.Contains("media channel", ended.FailureReason); // ended unexpectedly, or could not be bridged: it depends on which came first
        await Eventually.TrueAsync(() => scenario.Fake.Channels.IsEmpty, "the caller hung up");
        Assert.Empty(media.BinaryReceived);
    }
}
