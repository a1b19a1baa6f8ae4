using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Tests.Campaigns;

/// <summary>
/// How the fake carrier ends one call: its final status and how long it stays open first; with
/// <paramref name="AnswerAfter"/>, the call is answered (an <c>in-progress</c> callback) that long after it was placed.
/// </summary>
public sealed record CarrierOutcome(string Status, TimeSpan Hold, TimeSpan? AnswerAfter = null);

/// <summary>A call as the carrier saw it.</summary>
public sealed record CarrierCall(string Sid, string To, string From, DateTime CreatedAt)
{
    public DateTime? EndedAt { get; set; }
    public string? Status { get; set; }
}

/// <summary>
/// A loopback carrier on 127.0.0.1 (port 0) speaking a small REST protocol: <c>POST /calls</c> places a call and
/// answers its sid; the call stays open for the chosen hold time and then ends with the chosen status, which the
/// carrier queues as a status callback for <c>GET /events</c>. It counts on its own side: calls open now, the most
/// ever open at once, and dials per number. Stopped by disposing.
/// </summary>
public sealed class FakeCarrier : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<CarrierEvent> _events = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly object _gate = new();
    private readonly List<CarrierCall> _calls = [];
    private readonly Dictionary<string, CancellationTokenSource> _open = [];
    private int _maxOpen;

    /// <summary>Decides each call's outcome from the number and how many times it was dialed before (0 for the first).</summary>
    public Func<string, int, CarrierOutcome> Behaviour { get; set; } = (_, _) => new("completed", TimeSpan.FromMilliseconds(300));

    public Uri BaseUrl { get; }

    private FakeCarrier(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public static async Task<FakeCarrier> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeCarrier? carrier = null;
        app.MapPost("/calls", async (HttpRequest request) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            var to = body.GetProperty("to").GetString() ?? "";
            var from = body.TryGetProperty("from", out var f) ? f.GetString() ?? "" : "";
            return Results.Json(new { sid = carrier!.Place(to, from) }, statusCode: 201);
        });
        app.MapPost("/calls/{sid}/hangup", (string sid) => carrier!.HangUp(sid) ? Results.NoContent() : Results.NotFound());
        app.MapGet("/events", async (int? waitMs) =>
        {
            if (carrier!._events.IsEmpty) await carrier._signal.WaitAsync(TimeSpan.FromMilliseconds(waitMs ?? 500));
            var batch = new List<CarrierEvent>();
            while (batch.Count < 500 && carrier._events.TryDequeue(out var e)) batch.Add(e);
            return Results.Json(batch);
        });
        app.MapPost("/events/requeue", async (HttpRequest request) =>
        {
            foreach (var e in await JsonSerializer.DeserializeAsync<List<CarrierEvent>>(request.Body) ?? []) carrier!.Enqueue(e);
            return Results.NoContent();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        carrier = new FakeCarrier(app, new Uri(address));
        return carrier;
    }

    public int OpenCalls { get { lock (_gate) return _open.Count; } }

    /// <summary>The most calls the carrier ever had open at once.</summary>
    public int MaxOpenCalls { get { lock (_gate) return _maxOpen; } }

    public List<CarrierCall> Calls { get { lock (_gate) return _calls.ToList(); } }

    public int TotalDials { get { lock (_gate) return _calls.Count; } }

    public Dictionary<string, int> DialsByNumber() { lock (_gate) return _calls.GroupBy(c => c.To).ToDictionary(g => g.Key, g => g.Count()); }

    private string Place(string to, string from)
    {
        var sid = "LB" + Guid.NewGuid().ToString("N");
        CarrierOutcome outcome;
        var hangup = new CancellationTokenSource();
        var call = new CarrierCall(sid, to, from, DateTime.UtcNow);
        lock (_gate)
        {
            var before = _calls.Count(c => c.To == to);
            _calls.Add(call);
            _open[sid] = hangup;
            _maxOpen = Math.Max(_maxOpen, _open.Count);
            outcome = Behaviour(to, before);
        }
        _ = Task.Run(async () =>
        {
            var status = outcome.Status;
            try
            {
                var ringing = outcome.AnswerAfter is { } answerAfter && answerAfter < outcome.Hold ? answerAfter : TimeSpan.Zero;
                if (ringing > TimeSpan.Zero)
                {
                    await Task.Delay(ringing, hangup.Token);
                    Enqueue(new CarrierEvent(sid, "in-progress", DateTime.UtcNow));
                }
                await Task.Delay(outcome.Hold - ringing, hangup.Token);
            }
            catch (OperationCanceledException)
            {
                status = "canceled";
            }
            End(call, status);
        });
        return sid;
    }

    private bool HangUp(string sid)
    {
        lock (_gate)
        {
            if (!_open.TryGetValue(sid, out var hangup)) return false;
            hangup.Cancel();
            return true;
        }
    }

    /// <summary>The call leaves the open count before its callback is queued, as on a real carrier.</summary>
    private void End(CarrierCall call, string status)
    {
        lock (_gate)
        {
            _open.Remove(call.Sid);
            call.EndedAt = DateTime.UtcNow;
            call.Status = status;
        }
        Enqueue(new CarrierEvent(call.Sid, status, call.EndedAt.Value));
    }

    private void Enqueue(CarrierEvent e)
    {
        _events.Enqueue(e);
        _signal.Release();
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
            foreach (var hangup in _open.Values) hangup.Cancel();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A status callback: the call's sid, its final status, and when it ended.</summary>
public sealed record CarrierEvent(string Sid, string Status, DateTime At);
