using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Providers.Ari;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DograhConsole.Tests.Providers.Ari;

/// <summary>The real console on a loopback port, running the real workflow runner on every call's media.</summary>
public class AriConsoleHost : IAsyncLifetime
{
    public DograhAppFactory Factory { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;
    public Uri MediaUri => new($"ws://{BaseAddress.Authority}{AriRoutes.MediaSocketPath}");
    public AriConnectionStates States => Factory.Services.GetRequiredService<AriConnectionStates>();

    /// <summary>An API client over the loopback port (the in-memory client does not reach a Kestrel-started factory).</summary>
    public HttpClient CreateApiClient(string apiKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add(DograhConsole.Core.Security.ApiKeyAuthenticationHandler.HeaderName, apiKey);
        return client;
    }

    public Task InitializeAsync()
    {
        BaseAddress = Factory.StartKestrel();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

/// <summary>The console with <c>Dograh:Ari:RequireMediaToken</c> on.</summary>
public sealed class AriTokenConsoleHost : AriConsoleHost
{
    public AriTokenConsoleHost() => Factory.Settings["Dograh:Ari:RequireMediaToken"] = "true";
}

/// <summary>One test's world: an organization, a workflow, an ARI configuration pointing at its own fake Asterisk, and an extension.</summary>
public sealed class AriScenario : IAsyncDisposable
{
    /// <summary>A workflow that waits (two minutes) for a key no test presses: the call stays up until the test ends it.</summary>
    public const string LongGather = """{"steps":[{"id":"wait","type":"gather","numDigits":1,"timeoutSeconds":120},{"id":"bye","type":"hangup"}]}""";

    /// <summary><paramref name="definition"/> with <c>"record": true</c>: the recording shows what caller audio reached the workflow.</summary>
    public static string Recorded(string definition)
    {
        var workflow = JsonNode.Parse(definition)!.AsObject();
        workflow["record"] = true;
        return workflow.ToJsonString();
    }

    private AriScenario(AriConsoleHost host, FakeAsterisk fake, HttpClient api, Guid organizationId, Guid configurationId, Guid workflowId, string extension)
    {
        Host = host;
        Fake = fake;
        Api = api;
        OrganizationId = organizationId;
        ConfigurationId = configurationId;
        WorkflowId = workflowId;
        Extension = extension;
    }

    public AriConsoleHost Host { get; }
    public FakeAsterisk Fake { get; }
    public HttpClient Api { get; }
    public Guid OrganizationId { get; }
    public Guid ConfigurationId { get; }
    public Guid WorkflowId { get; }
    public string Extension { get; }
    public DograhAppFactory Factory => Host.Factory;

    public static async Task<AriScenario> StartAsync(AriConsoleHost host, string definition = TestWorkflows.Menu, bool assignWorkflow = true,
        string? configuredPassword = null, bool waitForConnection = true, int? maxConcurrentCalls = null, bool typeUrlWithoutAriPrefix = false)
    {
        var organization = await host.Factory.NewOrganizationAsync(maxConcurrentCalls);
        var api = host.CreateApiClient(organization.ApiKey);
        var app = "dograh-test-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        var password = Samples.Token(24);
        var fake = new FakeAsterisk(app, password, host.MediaUri);
        await fake.StartAsync();
        var workflow = (await api.CreateWorkflowAsync(definition: definition)).Id;
        var configuration = (await api.CreateConfigAsync(Credentials(fake, configuredPassword, typeUrlWithoutAriPrefix))).Id;
        var extension = RandomNumberGenerator.GetInt32(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        (await api.ApiPostAsync($"{ApiCalls.Configs}/{configuration}/phone-numbers",
            new { address = extension, inboundWorkflowId = assignWorkflow ? workflow : (Guid?)null, isDefaultCallerId = true }))
            .Expect(System.Net.HttpStatusCode.Created);
        var scenario = new AriScenario(host, fake, api, organization.Id, configuration, workflow, extension);
        if (waitForConnection) await scenario.WaitForEventsConnectionAsync();
        return scenario;
    }

    /// <summary>A configuration's credentials for <paramref name="fake"/> (its app password is the secret), typed as an admin would.</summary>
    /// <param name="configuredPassword">A password other than the fake's, to see a wrong one refused.</param>
    /// <param name="withoutAriPrefix">The URL as Dograh's Asterisk guide types it, without /ari (Asterisk's docs type it with).</param>
    public static SampleCredentials Credentials(FakeAsterisk fake, string? configuredPassword = null, bool withoutAriPrefix = false) => new("ari", new()
    {
        ["ariEndpointUrl"] = withoutAriPrefix ? fake.AriUrl.GetLeftPart(UriPartial.Authority) : fake.AriUrl.ToString(),
        ["stasisAppName"] = fake.App,
        ["appPassword"] = configuredPassword ?? fake.Password,
        ["webSocketClientName"] = "dograh",
        ["dialStringTemplate"] = "PJSIP/{number}",
    }, [fake.Password]);

    public Task WaitForEventsConnectionAsync() =>
        Eventually.TrueAsync(() => Fake.ConnectedEventSockets > 0 && Host.States.Get(ConfigurationId)?.Status == AriConnectionStatus.Connected,
            "the console's events connection to the fake Asterisk");

    /// <summary>The only call of this scenario's organization once it exists.</summary>
    public async Task<Call> WaitForCallAsync(Func<Call, bool> condition, string what)
    {
        Call? found = null;
        await Eventually.TrueAsync(async () =>
        {
            await using var db = await Factory.Db().CreateDbContextAsync();
            found = await db.Calls.IgnoreQueryFilters().AsNoTracking().Where(c => c.OrganizationId == OrganizationId)
                .OrderByDescending(c => c.CreatedAt).FirstOrDefaultAsync();
            return found is not null && condition(found);
        }, what);
        return found!;
    }

    public async Task<List<Call>> CallsAsync()
    {
        await using var db = await Factory.Db().CreateDbContextAsync();
        return await db.Calls.IgnoreQueryFilters().AsNoTracking().Where(c => c.OrganizationId == OrganizationId).OrderBy(c => c.CreatedAt).ToListAsync();
    }

    public async Task<Call> CallAsync(Guid id) => await Factory.StoredCallAsync(id);

    public async Task<List<AriCallLeg>> LegsAsync(Guid callId)
    {
        await using var db = await Factory.Db().CreateDbContextAsync();
        return await db.AriCallLegs.IgnoreQueryFilters().AsNoTracking().Where(l => l.CallId == callId).ToListAsync();
    }

    public Task<List<CallEvent>> EventsAsync(Guid callId) => Factory.StoredEventsAsync(callId);

    /// <summary>Whether the workflow has started step <paramref name="stepId"/> (its step event).</summary>
    public async Task<bool> HasStepAsync(Guid callId, string stepId) =>
        (await EventsAsync(callId)).Any(e => e.Kind == CallEventKind.Step && e.Message.StartsWith($"step {stepId} (", StringComparison.Ordinal));

    public Task WaitForStepAsync(Guid callId, string stepId) =>
        Eventually.TrueAsync(() => HasStepAsync(callId, stepId), $"the workflow to reach step {stepId}");

    /// <summary>The first event whose message starts with <paramref name="prefix"/>, once it is recorded.</summary>
    public async Task<CallEvent> WaitForEventAsync(Guid callId, string prefix)
    {
        CallEvent? found = null;
        await Eventually.TrueAsync(async () =>
        {
            found = (await EventsAsync(callId)).FirstOrDefault(e => e.Message.StartsWith(prefix, StringComparison.Ordinal));
            return found is not null;
        }, $"the event '{prefix}'");
        return found!;
    }

    /// <summary>
    /// Presses <paramref name="digit"/> (DTMF_END) once the gather listens, and again only when the branch step did
    /// not start within a few seconds (a key that reached the session before the gather subscribed).
    /// </summary>
    public async Task PressAsync(FakeMediaClient media, char digit, Guid callId, string branchStep)
    {
        await Eventually.RetryAsync(() => media.SendTextAsync($"DTMF_END digit:{digit} channel_id:{media.ChannelId}"),
            () => HasStepAsync(callId, branchStep), $"pressing {digit} to reach step {branchStep}", TimeSpan.FromSeconds(5));
    }

    /// <summary>
    /// The caller channel (left) of the call's recording, once the workflow has saved it: the caller audio that
    /// reached the workflow.
    /// </summary>
    public async Task<short[]> RecordedCallerAudioAsync(Guid callId)
    {
        string? path = null;
        await Eventually.TrueAsync(async () => (path = (await CallAsync(callId)).RecordingPath) is not null, "the workflow to save its recording");
        var dataDirectory = Factory.Services.GetRequiredService<IOptions<DograhOptions>>().Value.ResolveDataDirectory();
        var wav = await File.ReadAllBytesAsync(Path.Combine(dataDirectory, path!));
        var left = new short[(wav.Length - WavFile.HeaderLength) / 4];
        for (var i = 0; i < left.Length; i++) left[i] = BitConverter.ToInt16(wav, WavFile.HeaderLength + i * 4);
        return left;
    }

    public Task<FakeMediaClient> WaitForMediaAsync() => Fake.WaitForMediaAsync();

    public bool Logged(string text) => Factory.LogLines.Any(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>Every binary message the console sent: whole 160-byte frames only, never near 65,535 bytes.</summary>
    public static void AssertWholeFrames(FakeMediaClient media)
    {
        foreach (var message in media.BinaryReceived) Assert.Equal(AriMediaSink.FrameBytes, message.Length);
    }

    /// <summary>Frames the console sent that carry sound rather than silence.</summary>
    public static int LoudFrames(FakeMediaClient media) => LoudFrames(media.BinaryReceived);

    /// <summary>Of <paramref name="frames"/> (u-law), those that carry sound rather than silence.</summary>
    public static int LoudFrames(IEnumerable<byte[]> frames)
    {
        var pcm = new short[AriMediaSink.FrameBytes];
        return frames.Count(frame => Loud(pcm.AsSpan(0, MuLaw.Decode(frame, pcm))));
    }

    /// <summary>20 ms frames of <paramref name="pcm"/> (8 kHz) that carry sound rather than silence.</summary>
    public static int LoudFrames(short[] pcm) =>
        pcm.Chunk(AriMediaSink.FrameBytes).Count(frame => Loud(frame));

    private static bool Loud(ReadOnlySpan<short> pcm) => Pcm16.RmsDbfs(pcm) > -30;

    public async ValueTask DisposeAsync()
    {
        await Fake.DisposeAsync();
        Api.Dispose();
    }
}
