using DograhConsole.Core.Audit;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Providers.Web;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Providers.Twilio;
using DograhConsole.Tests.Providers.Web;
using DograhConsole.Tests.WorkflowRuntime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DograhConsole.Tests.Web.Browser;

/// <summary>
/// The web call and listen-in in Chromium with a fake microphone playing a WAV file the test writes: the page's own
/// AudioWorklets capture and play, and the page analyses the audio it received.
/// </summary>
[Trait("Category", "Browser")]
public sealed class WebCallBrowserTests : IDisposable
{
    // The fake microphone's tone, and the rate its file is written at (the browser resamples it as a device's).
    private const int MicrophoneHz = 300;
    private const int FileRate = 48000;

    /// <summary>A tone, a one-key menu whose key 1 says a line, then the hang-up; recorded.</summary>
    private const string TryMe = """
        {"record":true,"steps":[
          {"id":"greet","type":"tone","frequencyHz":440,"durationMs":800},
          {"id":"menu","type":"gather","numDigits":1,"timeoutSeconds":60,"branches":{"1":"thanks"},"default":"bye"},
          {"id":"thanks","type":"say","text":"You pressed one. Goodbye."},
          {"id":"bye","type":"hangup","reason":"done"}
        ]}
        """;

    private readonly string _microphone = Path.Combine(Path.GetTempPath(), $"dograh-mic-{Guid.NewGuid():N}.wav");

    public WebCallBrowserTests() =>
        File.WriteAllBytes(_microphone, WavFile.Write(WavSamples.Tone(FileRate, MicrophoneHz, 10.0, amplitude: 0.4), FileRate));

    public void Dispose() => File.Delete(_microphone);

    private static ILocator LiveRow(IPage page, Guid callId) => page.Locator($"#live-calls tr:has([data-call-id='{callId}'])");

    [Fact]
    public async Task A_web_call_shows_live_records_the_microphone_plays_the_tone_and_a_key_takes_the_branch()
    {
        using var app = new DograhAppFactory();
        await using var browser = await BrowserSession.StartAsync(app, _microphone);
        using var api = app.CreateLoopbackApiClient();
        var workflow = await api.CreateWorkflowAsync("Try me", TryMe);
        var page = browser.Page;
        await browser.SignInAsync();
        await browser.WaitForInteractiveAsync();

        // The list has a Web call per workflow; the workflow page has it beside Phone Call. No provider is configured.
        await browser.GotoAsync("/workflows");
        await Expect(page.Locator($".web-call[data-workflow-id='{workflow.Id}']")).ToBeVisibleAsync();
        await browser.GotoAsync($"/workflows/{workflow.Id}");
        await page.ClickAsync("#web-call");
        await Expect(page.Locator("#webcall-status")).ToHaveAttributeAsync("data-state", "connected");
        var callId = Guid.Parse((await page.Locator("#webcall-open-call").GetAttributeAsync("href"))!.Split('/').Last());

        // The page hears the greeting (analysed in the page) and its microphone meter moves.
        await Eventually.TrueAsync(async () => await page.EvaluateAsync<double>("() => window.dograhWebCall.received.toneShare(440)") > 0.8,
            "the page to receive the 440 Hz greeting");
        await Expect(page.Locator("#webcall-mic-level")).Not.ToHaveAttributeAsync("aria-valuenow", "-60");
        await browser.ScreenshotAsync("60-web-call");

        // The call is live like any other, with the signed-in user as the caller.
        var live = await browser.Context.NewPageAsync();
        await live.GotoAsync("/calls/live");
        await Expect(LiveRow(live, callId)).ToContainTextAsync(DograhAppFactory.AdminEmail + " → Try me");
        await Expect(LiveRow(live, callId)).ToContainTextAsync(WebProviderSpec.DisplayName);
        await Expect(LiveRow(live, callId).Locator(".transfer")).ToBeDisabledAsync();
        await live.CloseAsync();

        await Eventually.TrueAsync(async () => (await app.StoredCallAsync(callId)).CurrentStep == "menu (gather)", "the workflow to wait at the menu");
        await page.ClickAsync("#key-1");
        await Expect(page.Locator("#webcall-ended")).ToContainTextAsync("done", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });

        var call = await Eventually.ValueAsync(async () => await app.StoredCallAsync(callId) is { RecordingPath: not null } c ? c : null, "the recording to be linked");
        Assert.Equal((WebProviderSpec.Name, CallDirection.Inbound, CallStatus.Completed), (call.Provider, call.Direction, call.Status));
        var events = await app.StoredEventsAsync(callId);
        Assert.Contains(events, e => e.Kind == CallEventKind.Dtmf && e.Message == "dtmf 1");
        Assert.Contains(events, e => e.Message.Contains("thanks (say)", StringComparison.Ordinal));
        var caller = WebCallTestKit.RecordedChannel(await File.ReadAllBytesAsync(Path.Combine(app.DataDirectory, call.RecordingPath!)), 0);
        Assert.True(WebCallTestKit.ToneShare(caller, WebProviderSpec.SampleRate, MicrophoneHz) > 0.8, "the caller side of the recording holds the fake microphone's tone");
    }

    [Fact]
    public async Task Without_a_microphone_the_dialog_says_so_and_the_call_is_failed_with_the_reason()
    {
        using var app = new DograhAppFactory();
        // No fake device and no permission: the page cannot open a microphone.
        await using var browser = await BrowserSession.StartAsync(app);
        using var api = app.CreateLoopbackApiClient();
        var workflow = await api.CreateWorkflowAsync("Try me", TryMe);
        var page = browser.Page;
        await browser.SignInAsync();
        await browser.WaitForInteractiveAsync();
        await browser.GotoAsync($"/workflows/{workflow.Id}");
        await page.ClickAsync("#web-call");
        await Expect(page.Locator("#webcall-error")).ToContainTextAsync("icrophone");
        await Expect(page.Locator("#webcall-hangup")).ToBeDisabledAsync();
        await browser.ScreenshotAsync("62-web-call-no-microphone");

        var callId = Guid.Parse((await page.Locator("#webcall-open-call").GetAttributeAsync("href"))!.Split('/').Last());
        var call = await Eventually.ValueAsync(async () => await app.StoredCallAsync(callId) is { Status: CallStatus.Failed } c ? c : null, "the call to be failed");
        Assert.StartsWith("The web call did not start:", call.FailureReason);
        Assert.Contains("icrophone", call.FailureReason);
    }

    [Fact]
    public async Task A_listener_on_a_running_Twilio_call_hears_its_audio_and_the_listen_is_audited()
    {
        using var app = new DograhAppFactory();
        await using var browser = await BrowserSession.StartAsync(app, _microphone);
        await using var twilio = await FakeTwilio.StartAsync(app.Address, DograhAppFactory.PublicBaseUrl);
        const string number = "+14155550199";
        twilio.AddNumber(number);
        // The caller hums 600 Hz into the phone for the whole call.
        twilio.CallerAudio = WavSamples.Tone(8000, 600, 1.0, amplitude: 0.3);
        using var api = app.CreateLoopbackApiClient();
        var workflow = await api.CreateWorkflowAsync("Menu", TestWorkflows.Menu);
        var configuration = await api.CreateConfigAsync(twilio.Credentials(), "Main Twilio account");
        await api.CreateNumberAsync(configuration.Id, number, workflow.Id);

        var phoneCall = await twilio.PlaceInboundCallAsync(TwilioTestKit.PublicUrl(PublicUrls.InboundWebhookPath), "+14155550177", number);
        var callId = Guid.Parse(phoneCall.StreamParameters["callId"]);
        var page = browser.Page;
        await browser.SignInAsync();
        await browser.WaitForInteractiveAsync();
        await browser.GotoAsync($"/calls/{callId}");
        await page.ClickAsync(".listen");
        await Expect(page.Locator("#listen-status")).ToHaveAttributeAsync("data-state", "connected");
        await Eventually.TrueAsync(async () => await page.EvaluateAsync<double>("() => window.dograhListen.received.toneShare(600)") > 0.8,
            "the listener to hear the caller's 600 Hz");
        Assert.Equal(8000, await page.EvaluateAsync<int>("() => window.dograhListen.received.sampleRate"));
        await browser.ScreenshotAsync("61-listen");

        await using (var db = await app.Db().CreateDbContextAsync())
        {
            var entry = await db.AuditEntries.IgnoreQueryFilters().SingleAsync(a => a.EntityId == callId.ToString());
            Assert.Equal(("listened", "call", DograhAppFactory.AdminEmail), (entry.Action, entry.EntityType, entry.Actor));
        }

        // The call ends at the caller's side: the listener is told and stops.
        await phoneCall.EndAsync("completed");
        await Expect(page.Locator("#listen-status")).ToHaveAttributeAsync("data-state", "ended");
    }
}
