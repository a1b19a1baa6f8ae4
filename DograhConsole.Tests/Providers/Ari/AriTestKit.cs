using System.Security.Cryptography;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Calls.Media;
using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Telephony.Providers.Ari;
using DograhConsole.Core.Workflows.Runtime;
using DograhConsole.Tests.Api;
using DograhConsole.Tests.Calls;
using DograhConsole.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Providers.Ari;

/// <summary>
/// The real console on a loopback port, with the <see cref="ScriptedWorkflowRunner"/> standing in for the workflow
/// runner and <see cref="CallMediaHost"/> registered (the runner's branch registers both; swap after merging).
/// </summary>
public class AriConsoleHost : IAsyncLifetime
{
    public AriConsoleHost()
    {
        Factory = new DograhAppFactory
        {
            TestServices = services =>
            {
                services.AddSingleton<ScriptedWorkflowRunner>();
                services.AddSingleton<ICallWorkflowRunner>(sp => sp.GetRequiredService<ScriptedWorkflowRunner>());
                services.AddSingleton<CallMediaHost>();
            },
        };
    }

    public DograhAppFactory Factory { get; }

    public Uri BaseAddress { get; private set; } = null!;
    public Uri MediaUri => new($"ws://{BaseAddress.Authority}{PublicUrls.AriMediaSocketPath}");
    public ScriptedWorkflowRunner Runner => Factory.Services.GetRequiredService<ScriptedWorkflowRunner>();
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
    public const string ToneThenDigitThenHangup =
        """{"steps":[{"type":"tone","frequencyHz":440,"durationMs":1000},{"type":"gather","numDigits":1,"timeoutSeconds":60},{"type":"hangup"}]}""";

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

    public static async Task<AriScenario> StartAsync(AriConsoleHost host, string definition = ToneThenDigitThenHangup, bool assignWorkflow = true,
        string? configuredPassword = null, bool waitForConnection = true, int? maxConcurrentCalls = null)
    {
        var organization = await host.Factory.NewOrganizationAsync(maxConcurrentCalls);
        var api = host.CreateApiClient(organization.ApiKey);
        var app = "dograh-test-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        var password = Samples.Token(24);
        var fake = new FakeAsterisk(app, password, host.MediaUri);
        await fake.StartAsync();
        var workflow = (await api.CreateWorkflowAsync(definition: definition)).Id;
        var configuration = (await api.CreateConfigAsync(new SampleCredentials("ari", new()
        {
            ["ariEndpointUrl"] = fake.AriUrl.ToString(),
            ["stasisAppName"] = app,
            ["appPassword"] = configuredPassword ?? password,
            ["webSocketClientName"] = "dograh",
            ["dialStringTemplate"] = "PJSIP/{number}",
        }, [password]))).Id;
        var extension = RandomNumberGenerator.GetInt32(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        (await api.ApiPostAsync($"{ApiCalls.Configs}/{configuration}/phone-numbers",
            new { address = extension, inboundWorkflowId = assignWorkflow ? workflow : (Guid?)null, isDefaultCallerId = true }))
            .Expect(System.Net.HttpStatusCode.Created);
        var scenario = new AriScenario(host, fake, api, organization.Id, configuration, workflow, extension);
        if (waitForConnection) await scenario.WaitForEventsConnectionAsync();
        return scenario;
    }

    public Task WaitForEventsConnectionAsync() =>
        Wait.UntilAsync(() => Fake.ConnectedEventSockets > 0 && Host.States.Get(ConfigurationId)?.Status == AriConnectionStatus.Connected,
            "the console's events connection to the fake Asterisk");

    /// <summary>The only call of this scenario's organization once it exists.</summary>
    public async Task<Call> WaitForCallAsync(Func<Call, bool> condition, string what)
    {
        Call? found = null;
        await Wait.UntilAsync(async () =>
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

    public async Task<FakeMediaClient> WaitForMediaAsync()
    {
        FakeChannel? channel = null;
        await Wait.UntilAsync(() =>
        {
            channel = Fake.AllChannels.Values.FirstOrDefault(c => c.Media is not null);
            return channel is not null;
        }, "chan_websocket to connect to the console");
        return channel!.Media!;
    }

    public bool Logged(string text) => Factory.LogLines.Any(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>Every binary message the console sent: whole 160-byte frames only, never near 65,535 bytes.</summary>
    public static void AssertWholeFrames(FakeMediaClient media)
    {
        foreach (var message in media.BinaryReceived) Assert.Equal(AriMediaSink.FrameBytes, message.Length);
    }

    /// <summary>Frames the console sent that carry sound rather than silence.</summary>
    public static int LoudFrames(FakeMediaClient media)
    {
        var pcm = new short[AriMediaSink.FrameBytes];
        return media.BinaryReceived.Count(frame =>
        {
            MuLaw.Decode(frame, pcm);
            return Pcm16.RmsDbfs(pcm) > -30;
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Fake.DisposeAsync();
        Api.Dispose();
    }
}

public static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until it holds; generous by default for a loaded 2-core machine.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(45));
        while (true)
        {
            if (await condition()) return;
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);
}
