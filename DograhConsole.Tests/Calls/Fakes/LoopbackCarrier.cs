using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Tests.Calls.Fakes;

/// <summary>One request the fake carrier received.</summary>
public sealed record CarrierRequest(string Action, string ProviderCallId, string? From, string? To, string? Authorization);

/// <summary>
/// A tiny carrier on 127.0.0.1 (port 0) that <see cref="TestCarrierCalls"/> talks to over HTTP, so the console's
/// call control runs unchanged: it accepts dials (or refuses numbers with a message), hang-ups and transfers,
/// records every request, and after a hang-up runs the test's <see cref="OnHangUp"/> the way a provider sends
/// its status callback. A stand-in until the Twilio fake is merged.
/// </summary>
public sealed class LoopbackCarrier : IAsyncDisposable
{
    public const string Token = "test-carrier-token-0123456789";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _live = new();
    private int _next;

    private LoopbackCarrier(WebApplication app) => _app = app;

    public ConcurrentQueue<CarrierRequest> Requests { get; } = new();

    /// <summary>Numbers the carrier refuses to dial, with its message.</summary>
    public ConcurrentDictionary<string, string> Refused { get; } = new();

    /// <summary>Runs after a hang-up was accepted, with the provider call id (the test ends the call as a callback would).</summary>
    public Func<string, Task>? OnHangUp { get; set; }

    public Uri BaseAddress { get; private set; } = default!;

    public IEnumerable<CarrierRequest> Dials => Requests.Where(r => r.Action == "dial");
    public IEnumerable<CarrierRequest> HangUps => Requests.Where(r => r.Action == "hangup");

    public static async Task<LoopbackCarrier> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var carrier = new LoopbackCarrier(app);
        app.MapPost("/calls", (Delegate)carrier.DialAsync);
        app.MapPost("/calls/{id}/hangup", (Delegate)carrier.HangUpAsync);
        app.MapPost("/calls/{id}/transfer", (Delegate)carrier.TransferAsync);
        await app.StartAsync();
        carrier.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return carrier;
    }

    private async Task<IResult> DialAsync(HttpContext context)
    {
        if (!Authorized(context)) return Results.Json(new { message = "Authenticate" }, statusCode: 401);
        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        var from = body?["from"]?.GetValue<string>();
        var to = body?["to"]?.GetValue<string>();
        if (to is not null && Refused.TryGetValue(to, out var message))
        {
            Requests.Enqueue(new("refused", "", from, to, context.Request.Headers.Authorization));
            return Results.Json(new { message }, statusCode: 400);
        }
        var id = "TC" + Interlocked.Increment(ref _next).ToString("D6");
        _live[id] = to ?? "";
        Requests.Enqueue(new("dial", id, from, to, context.Request.Headers.Authorization));
        return Results.Json(new { id }, statusCode: 201);
    }

    private async Task<IResult> HangUpAsync(string id, HttpContext context)
    {
        if (!Authorized(context)) return Results.Json(new { message = "Authenticate" }, statusCode: 401);
        if (!_live.TryRemove(id, out _)) return Results.Json(new { message = "No such call" }, statusCode: 404);
        Requests.Enqueue(new("hangup", id, null, null, context.Request.Headers.Authorization));
        if (OnHangUp is { } callback) await callback(id);
        return Results.Json(new { id, status = "completed" });
    }

    private async Task<IResult> TransferAsync(string id, HttpContext context)
    {
        if (!Authorized(context)) return Results.Json(new { message = "Authenticate" }, statusCode: 401);
        var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
        if (!_live.ContainsKey(id)) return Results.Json(new { message = "No such call" }, statusCode: 404);
        Requests.Enqueue(new("transfer", id, null, body?["to"]?.GetValue<string>(), context.Request.Headers.Authorization));
        return Results.Json(new { outcome = "transferred" });
    }

    private static bool Authorized(HttpContext context) => context.Request.Headers.Authorization == "Bearer " + Token;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
