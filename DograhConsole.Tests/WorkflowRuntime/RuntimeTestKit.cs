using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using DograhConsole.Core.CallControl;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Security;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DograhConsole.Tests.WorkflowRuntime;

/// <summary>
/// The call control of "twilio" for runtime tests: records every hang-up and transfer request and answers as told.
/// (The real provider clients and their fakes on the wire belong to the provider edges.)
/// </summary>
public sealed class RecordingProviderCalls : IProviderCalls
{
    public string Provider => "twilio";

    public ConcurrentQueue<Guid> HangUps { get; } = new();

    public ConcurrentQueue<(Guid CallId, string To)> Transfers { get; } = new();

    public TransferOutcome NextTransferOutcome { get; set; } = TransferOutcome.Transferred;

    /// <summary>When set, hang-ups fail with this provider message.</summary>
    public string? HangUpError { get; set; }

    public Task<OperationResult<string>> DialAsync(ProviderDial dial, CancellationToken ct) =>
        Task.FromResult(OperationResult<string>.Success("CA" + Guid.NewGuid().ToString("N")));

    public Task<OperationResult<bool>> HangUpAsync(CallView call, ProviderAccount account, CancellationToken ct)
    {
        HangUps.Enqueue(call.Id);
        return Task.FromResult(HangUpError is { } error
            ? OperationResult<bool>.Conflict(error, ProviderCallCodes.ProviderError)
            : OperationResult<bool>.Success(true));
    }

    public Task<OperationResult<TransferOutcome>> TransferAsync(CallView call, ProviderAccount account, string to, CancellationToken ct)
    {
        Transfers.Enqueue((call.Id, to));
        return Task.FromResult(OperationResult<TransferOutcome>.Success(NextTransferOutcome));
    }
}

/// <summary>A sink on the real clock that keeps every frame sent (thread-safe).</summary>
public sealed class CapturingSink : IMediaSink
{
    private readonly List<short> _samples = [];
    private int _frames;
    private int _audibleFrames;

    public int Frames => Volatile.Read(ref _frames);

    /// <summary>Frames with sound in them (not silence).</summary>
    public int AudibleFrames => Volatile.Read(ref _audibleFrames);

    public int FrameLength { get; private set; }

    public void SendFrame(ReadOnlySpan<short> frame)
    {
        lock (_samples)
        {
            foreach (var s in frame) _samples.Add(s);
        }
        FrameLength = frame.Length;
        Interlocked.Increment(ref _frames);
        if (Pcm16.Rms(frame) > 0.003) Interlocked.Increment(ref _audibleFrames);
    }

    public short[] Samples()
    {
        lock (_samples) return [.. _samples];
    }
}

/// <summary>
/// The console with <see cref="RecordingProviderCalls"/> as twilio's call control, a twilio configuration, and
/// helpers to create workflows and calls and run them on a real <see cref="MediaSession"/> on the app's real clock.
/// </summary>
public sealed class RuntimeFixture : IAsyncLifetime
{
    public DograhAppFactory Parent { get; } = new();

    public RecordingProviderCalls Provider { get; } = new();

    public WebApplicationFactory<Program> App { get; private set; } = null!;

    public IServiceProvider Services => App.Services;

    public Guid OrganizationId { get; private set; }

    public Guid ConfigurationId { get; private set; }

    public HttpClient Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // Start the parent host first, so its start-up clean-up never sees this fixture's calls as orphans.
        _ = Parent.Services;
        App = Parent.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IProviderCalls>();
            services.AddSingleton<IProviderCalls>(Provider);
        }));
        Api = App.CreateClient();
        Api.DefaultRequestHeaders.Add("X-Api-Key", DograhAppFactory.ApiKey);
        var created = await Api.ApiPostAsync(ApiCalls.Configs, new { name = "Twilio runtime", provider = "twilio", credentials = Samples.Twilio().Values });
        ConfigurationId = created.Expect(HttpStatusCode.Created).Id;
        await using var db = await Db.CreateDbContextAsync();
        OrganizationId = await db.Users.IgnoreQueryFilters().Where(u => u.Email == DograhAppFactory.AdminEmail).Select(u => u.OrganizationId).SingleAsync();
    }

    public Task DisposeAsync()
    {
        Api.Dispose();
        Parent.Dispose();
        return Task.CompletedTask;
    }

    public CallService Calls => Services.GetRequiredService<CallService>();

    public async Task<Guid> CreateWorkflowAsync(string definition, HttpClient? api = null)
    {
        var response = await (api ?? Api).ApiPostAsync(ApiCalls.Workflows, new { name = Samples.UniqueName("wf"), definition });
        Assert.True(response.Status == HttpStatusCode.Created, response.Text);
        return response.Id;
    }

    public async Task<CallView> CreateCallAsync(Guid? workflowId, Guid? organizationId = null, Guid? configurationId = null, IReadOnlyDictionary<string, object?>? variables = null)
    {
        var result = await Calls.CreateAsync(new NewCall(organizationId ?? OrganizationId, "twilio", CallDirection.Inbound, "+14155550123", "+14155550100")
        {
            ProviderCallId = "CA" + Guid.NewGuid().ToString("N"),
            TelephonyConfigurationId = configurationId ?? ConfigurationId,
            WorkflowId = workflowId,
            InitialStatus = CallStatus.InProgress,
            Variables = variables,
        });
        Assert.True(result.Succeeded, result.Describe());
        return result.Value!;
    }

    /// <summary>A call of a new workflow, running on a new session; dispose the run to end the call's media.</summary>
    public async Task<WorkflowRun> StartAsync(string definition, int sampleRate = 8000, IReadOnlyDictionary<string, object?>? variables = null)
    {
        var workflowId = await CreateWorkflowAsync(definition);
        var call = await CreateCallAsync(workflowId, variables: variables);
        return Run(call.Id, sampleRate);
    }

    public WorkflowRun Run(Guid callId, int sampleRate = 8000)
    {
        var sink = new CapturingSink();
        var session = Services.GetRequiredService<MediaSessionFactory>().Create(sink, new MediaSessionOptions { CallId = callId.ToString(), SampleRate = sampleRate });
        var ended = new CancellationTokenSource();
        var runner = Services.GetRequiredService<ICallWorkflowRunner>();
        var task = Task.Run(() => runner.RunAsync(callId, session, ended.Token));
        return new WorkflowRun(callId, session, sink, ended, task);
    }

    public IDbContextFactory<DograhDbContext> Db => Services.GetRequiredService<IDbContextFactory<DograhDbContext>>();

    public async Task<List<CallEventView>> EventsAsync(Guid callId)
    {
        await using var db = await Db.CreateDbContextAsync();
        var events = await db.CallEvents.IgnoreQueryFilters().Where(e => e.CallId == callId).OrderBy(e => e.Id).ToListAsync();
        return events.Select(CallEventView.FromEntity).ToList();
    }

    public async Task<CallView> StoredCallAsync(Guid callId) => (await Calls.FindAsync(callId))!;

    /// <summary>A new organization (own API key and concurrent-call limit) with its own twilio configuration.</summary>
    public async Task<(Guid Organization, Guid Configuration, HttpClient Api)> NewOrganizationAsync(int maxConcurrentCalls)
    {
        var name = "org" + Guid.NewGuid().ToString("N")[..12];
        var key = await Parent.CreateOrganizationAsync(name);
        Guid organizationId;
        await using (var db = await Db.CreateDbContextAsync())
        {
            var organization = await db.Organizations.SingleAsync(o => o.Name == name);
            organization.MaxConcurrentCalls = maxConcurrentCalls;
            await db.SaveChangesAsync();
            organizationId = organization.Id;
        }
        var api = App.CreateClient();
        api.DefaultRequestHeaders.Add("X-Api-Key", key);
        var created = await api.ApiPostAsync(ApiCalls.Configs, new { name = "Twilio", provider = "twilio", credentials = Samples.Twilio().Values });
        return (organizationId, created.Expect(HttpStatusCode.Created).Id, api);
    }
}

public sealed class WorkflowRun(Guid callId, MediaSession session, CapturingSink sink, CancellationTokenSource ended, Task task) : IAsyncDisposable
{
    public Guid CallId { get; } = callId;
    public MediaSession Session { get; } = session;
    public CapturingSink Sink { get; } = sink;
    public CancellationTokenSource Ended { get; } = ended;
    public Task Task { get; } = task;

    public Task FinishedAsync() => Task.WaitAsync(Eventually.Patience);

    public async ValueTask DisposeAsync()
    {
        await Ended.CancelAsync();
        try { await Task.WaitAsync(Eventually.Patience); } catch (TimeoutException) { }
        await Session.DisposeAsync();
        Ended.Dispose();
    }

    /// <summary>Presses keys, one every 100 ms.</summary>
    public async Task PressAsync(string keys)
    {
        foreach (var key in keys)
        {
            Session.ReceiveDtmf(key);
            await System.Threading.Tasks.Task.Delay(100);
        }
    }
}

public static class WavSamples
{
    /// <summary>A tone as 16-bit PCM samples.</summary>
    public static short[] Tone(int rate, int frequency, double seconds, double amplitude = 0.5) =>
        Enumerable.Range(0, (int)(rate * seconds)).Select(i => (short)(amplitude * short.MaxValue * Math.Sin(2 * Math.PI * frequency * i / rate))).ToArray();

    /// <summary>Zero crossings per second / 2: the dominant frequency of a clean tone.</summary>
    public static double Frequency(ReadOnlySpan<short> samples, int rate)
    {
        int crossings = 0;
        for (int i = 1; i < samples.Length; i++)
            if ((samples[i - 1] < 0) != (samples[i] < 0)) crossings++;
        return crossings / 2.0 / ((double)samples.Length / rate);
    }

    public static MultipartFormDataContent Upload(string name, byte[] file, string fileName = "prompt.wav")
    {
        var content = new MultipartFormDataContent();
        content.Add(new StringContent(name), "name");
        var bytes = new ByteArrayContent(file);
        bytes.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
        content.Add(bytes, "file", fileName);
        return content;
    }
}
