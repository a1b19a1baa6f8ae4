using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using DograhConsole.Core;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Data;
using DograhConsole.Core.Hosting;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Providers.Twilio;
using DograhConsole.Core.Security;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using DograhConsole.Core.WorkflowRuntime;
using DograhConsole.Core.Workflows;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Bench;

/// <summary>One bench call on the real console: what the load client puts in its Twilio <c>start</c> message.</summary>
internal sealed record ConsoleBenchCall(Guid CallId, string Token, string CallSid, string AccountSid);

/// <summary>A number whose inbound webhook the bench posts to while the calls run: where, signed with what, from which account.</summary>
internal sealed record BenchInboundTarget(string Url, string AuthToken, string AccountSid, string To);

/// <summary>
/// The real console (AddDograhCore + MapDograhEndpoints, the Web project's middleware order) on a temp data directory,
/// for the "console (real Twilio edge)" path: the load client opens <c>/api/v1/telephony/ws/twilio</c>, the real
/// <see cref="TwilioMediaSocket"/> checks the token, CallSid and AccountSid, and <see cref="CallMediaHost"/> runs the
/// real workflow runner on a <see cref="MediaSession"/> per call. Bench-only additions: <c>POST /bench/calls?count=N</c>
/// creates N outbound Twilio calls (an organization whose limit is raised above N, a Twilio configuration stored with
/// encrypted credentials, a workflow that plays a tone continuously) and issues their media tokens; <c>/stats</c>
/// reports caller frames the sessions got, the heap and the clock's counters. The runner is wrapped only to see each
/// call's session (it delegates to the real one).
/// </summary>
internal static class ConsoleServer
{
    /// <summary>
    /// A 60 s tone (the longest a tone step may be), then back to it: continuous audio. Before steps were pipelined the
    /// next tone started a mark round trip after the first one ended, a gap the client counted as lost frames;
    /// <see cref="ToneSeconds"/> lets the bench say when a window reaches the first step boundary.
    /// </summary>
    public const int ToneSeconds = 60;

    public const string ContinuousToneWorkflow = """
        {"steps":[
          {"id":"tone","type":"tone","frequencyHz":440,"durationMs":60000},
          {"id":"again","type":"goto","target":"tone"}
        ]}
        """;

    /// <summary>
    /// An IVR's hold loop (the issue 19 measurement): speech, a designed 500 ms pause, a 2 s tone, speech, again. Four
    /// step boundaries per loop of about 8 s; the pause is sent as silence frames, so any 20 ms slot without a frame is
    /// silence nobody designed.
    /// </summary>
    public const string IvrWorkflow = """
        {"steps":[
          {"id":"welcome","type":"say","text":"Thank you for calling. Please hold while we connect you."},
          {"id":"breath","type":"pause","durationMs":500},
          {"id":"tone","type":"tone","frequencyHz":440,"durationMs":2000},
          {"id":"hold","type":"say","text":"Your call is important to us."},
          {"id":"again","type":"goto","target":"welcome"}
        ]}
        """;

    public static async Task RunAsync()
    {
        int port = FreePort();
        string dataDirectory = Path.Combine(Path.GetTempPath(), "dograh-bench", Guid.NewGuid().ToString("N"));
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Configuration["Dograh:DataDirectory"] = dataDirectory;
        builder.Configuration["Dograh:PublicBaseUrl"] = $"http://127.0.0.1:{port}";
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.TimestampFormat = "HH:mm:ss.fff ").SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddDograhCore(builder.Configuration);
        var observed = new ObservedSessions();
        builder.Services.AddSingleton(observed);
        builder.Services.AddSingleton<WorkflowRunner>();
        builder.Services.AddSingleton<ICallWorkflowRunner>(services => new ObservingRunner(services.GetRequiredService<WorkflowRunner>(), observed));

        var app = builder.Build();
        await app.Services.InitializeDograhAsync();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDograhEndpoints();
        app.MapPost("/bench/calls", (int count, string? workflow) => CreateCallsAsync(app.Services, count, workflow == "ivr" ? IvrWorkflow : ContinuousToneWorkflow)).AllowAnonymous(); // bench only: the console's fallback policy wants a sign-in
        app.MapPost("/bench/inbound", (string? workflow) => CreateInboundTargetAsync(app.Services, workflow == "ivr" ? IvrWorkflow : ContinuousToneWorkflow)).AllowAnonymous();
        app.MapGet("/stats", async () =>
        {
            var counters = app.Services.GetRequiredService<MediaClock>().Counters;
            return new
            {
                started = await StartedCallsAsync(app.Services),
                mediaInbound = observed.CallerFrames(),
                sessions = observed.Count,
                heapBytes = GC.GetGCMemoryInfo().HeapSizeBytes,
                gc = GcFigures.Now(),
                clockTicks = counters.Ticks,
                clockLateTicks = counters.LateTicks,
                clockSkippedTicks = counters.SkippedTicks,
                clockMaxLatenessMs = counters.MaxLateness.TotalMilliseconds,
            };
        }).AllowAnonymous();

        try
        {
            await app.StartAsync();
            Console.WriteLine($"listening http://127.0.0.1:{port}");
            Console.Out.Flush();
            await Console.In.ReadLineAsync(); // the parent closes stdin to stop us
            await app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(15)).Token);
        }
        finally
        {
            await app.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>An organization allowing <paramref name="limit"/> calls, a Twilio configuration with encrypted credentials and a workflow.</summary>
    private static async Task<BenchAccount> CreateAccountAsync(IServiceProvider services, int limit, string definition, Action<DograhDbContext, BenchAccount>? more = null)
    {
        var now = DateTime.UtcNow;
        var account = new BenchAccount("AC" + Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"),
            new Organization { Id = Guid.NewGuid(), Name = "bench " + Guid.NewGuid().ToString("N")[..8], MaxConcurrentCalls = limit, CreatedAt = now },
            new TelephonyConfiguration { Id = Guid.NewGuid(), Name = "Twilio bench", Provider = TwilioProviderSpec.Name, IsDefaultOutbound = true, CreatedAt = now, UpdatedAt = now },
            new Workflow { Id = Guid.NewGuid(), Name = "bench workflow", DefinitionJson = definition, CreatedAt = now, UpdatedAt = now });
        account.Configuration.OrganizationId = account.Workflow.OrganizationId = account.Organization.Id;
        services.GetRequiredService<ConfigurationCredentials>().Write(account.Configuration, new Dictionary<string, string>
        {
            ["accountSid"] = account.AccountSid,
            ["authToken"] = account.AuthToken,
        });
        await using var db = await services.GetRequiredService<IDbContextFactory<DograhDbContext>>().CreateDbContextAsync();
        db.Organizations.Add(account.Organization);
        db.TelephonyConfigurations.Add(account.Configuration);
        db.Workflows.Add(account.Workflow);
        more?.Invoke(db, account);
        await db.SaveChangesAsync();
        return account;
    }

    private sealed record BenchAccount(string AccountSid, string AuthToken, Organization Organization, TelephonyConfiguration Configuration, Workflow Workflow);

    /// <summary>A number routed to <paramref name="definition"/>, for the inbound webhooks the bench posts during the window.</summary>
    private static async Task<BenchInboundTarget> CreateInboundTargetAsync(IServiceProvider services, string definition)
    {
        const string to = "+14155550100";
        var account = await CreateAccountAsync(services, OrganizationService.MaxConcurrentCallsLimit, definition, (db, account) => db.PhoneNumbers.Add(new PhoneNumber
        {
            Id = Guid.NewGuid(),
            OrganizationId = account.Organization.Id,
            TelephonyConfigurationId = account.Configuration.Id,
            Address = to,
            NormalizedAddress = to,
            AddressType = AddressType.E164,
            InboundWorkflowId = account.Workflow.Id,
            CreatedAt = DateTime.UtcNow,
            UpdatedAt = DateTime.UtcNow,
        }));
        var url = services.GetRequiredService<PublicUrls>().Http(PublicUrls.InboundWebhookPath);
        return new BenchInboundTarget(url, account.AuthToken, account.AccountSid, to);
    }

    private static async Task<List<ConsoleBenchCall>> CreateCallsAsync(IServiceProvider services, int count, string definition)
    {
        var account = await CreateAccountAsync(services, count + 100, definition);
        var calls = services.GetRequiredService<CallService>();
        var tokens = services.GetRequiredService<CallMediaTokens>();
        var created = new List<ConsoleBenchCall>(count);
        for (int n = 0; n < count; n++)
        {
            string callSid = "CA" + Guid.NewGuid().ToString("N");
            var result = await calls.CreateAsync(new NewCall(account.Organization.Id, TwilioProviderSpec.Name, CallDirection.Outbound, "+14155550199", $"+1415555{n % 10000:0000}")
            {
                TelephonyConfigurationId = account.Configuration.Id,
                WorkflowId = account.Workflow.Id,
                ProviderCallId = callSid,
            });
            if (!result.Succeeded) throw new InvalidOperationException($"bench call {n} was not created: {result.Describe()}");
            created.Add(new ConsoleBenchCall(result.Value!.Id, tokens.Issue(result.Value.Id), callSid, account.AccountSid));
        }

        return created;
    }

    /// <summary>
    /// Calls whose start is over: in progress, the workflow on its first step and the media stream's start recorded.
    /// Starting 1,000 calls takes seconds of database writes; the bench measures only once they are done.
    /// </summary>
    private static async Task<int> StartedCallsAsync(IServiceProvider services)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<DograhDbContext>>().CreateDbContextAsync();
        int running = await db.Calls.IgnoreQueryFilters().CountAsync(c => c.Status == CallStatus.InProgress && c.CurrentStep != null);
        int streams = await db.CallEvents.IgnoreQueryFilters().CountAsync(e => e.Message.StartsWith("Twilio media stream ") && e.Message.EndsWith(" started"));
        return Math.Min(running, streams);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Every session the runner was given, to count the caller frames that reached them.</summary>
    private sealed class ObservedSessions
    {
        private readonly ConcurrentBag<MediaSession> _sessions = [];

        public int Count => _sessions.Count;

        public void Add(MediaSession session) => _sessions.Add(session);

        public long CallerFrames() => _sessions.Sum(s => s.CallerFramesReceived);
    }

    private sealed class ObservingRunner(WorkflowRunner inner, ObservedSessions observed) : ICallWorkflowRunner
    {
        public Task RunAsync(Guid callId, MediaSession session, CancellationToken callEnded)
        {
            observed.Add(session);
            return inner.RunAsync(callId, session, callEnded);
        }
    }
}
