using System.Net.Http.Json;
using System.Text.Json;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Calls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DograhConsole.Tests.Campaigns;

/// <summary>
/// A test provider, "loopback", that places calls on the <see cref="FakeCarrier"/> over HTTP and feeds its status
/// callbacks back through <see cref="CallService.UpdateStatusAsync"/>, as a carrier's status webhook would. It stands
/// in for the Twilio client until that lands; then these tests should run against the Twilio fake instead.
/// </summary>
public static class LoopbackProvider
{
    public const string Name = "loopback";

    /// <summary>Registers the provider, its dialer and the status-callback pump against the carrier at <paramref name="carrier"/>.</summary>
    public static void Register(IServiceCollection services, Uri carrier)
    {
        services.AddTelephonyProvider(Spec());
        services.AddProviderCalls<LoopbackProviderCalls>();
        services.AddSingleton(new LoopbackCarrierLink(carrier));
        services.AddHostedService<LoopbackEventPump>();
    }

    public static ProviderSpec Spec() => new()
    {
        Name = Name,
        DisplayName = "Loopback carrier",
        Description = "The fake carrier of the campaign tests.",
        Kind = ProviderKind.Carrier,
        MediaFormat = MediaFormat.MuLaw8k,
        Fields = [new CredentialField("baseUrl", "Carrier URL", Required: true)],
        AccountKeyField = "baseUrl",
        AddressTypes = new HashSet<AddressType> { AddressType.E164 },
        SetupValues = _ => [],
    };
}

public sealed class LoopbackProviderCalls : IProviderCalls
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(15) };

    public string Provider => LoopbackProvider.Name;

    public async Task<OperationResult<string>> DialAsync(ProviderDial dial, CancellationToken ct)
    {
        var response = await Http.PostAsJsonAsync(new Uri(new Uri(dial.Account.Credential("baseUrl")), "/calls"), new { to = dial.To, from = dial.From, callId = dial.Call.Id }, ct);
        if (!response.IsSuccessStatusCode) return OperationResult<string>.Conflict($"carrier answered {(int)response.StatusCode}", ProviderCallCodes.ProviderError);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        return OperationResult<string>.Success(body.GetProperty("sid").GetString()!);
    }

    public async Task<OperationResult<bool>> HangUpAsync(CallView call, ProviderAccount account, CancellationToken ct)
    {
        var response = await Http.PostAsync(new Uri(new Uri(account.Credential("baseUrl")), $"/calls/{call.ProviderCallId}/hangup"), null, ct);
        return OperationResult<bool>.Success(response.IsSuccessStatusCode);
    }

    public Task<OperationResult<TransferOutcome>> TransferAsync(CallView call, ProviderAccount account, string to, CancellationToken ct) =>
        Task.FromResult(OperationResult<TransferOutcome>.Success(TransferOutcome.Failed));
}

/// <summary>Where the host's status-callback pump polls.</summary>
public sealed record LoopbackCarrierLink(Uri BaseUrl);

/// <summary>
/// The carrier's status callbacks, applied to the call records. A callback for a sid the console has not stored yet
/// (the carrier can end a call before the dial's answer is saved) is retried, and handed back to the carrier when
/// the host stops, like a webhook the carrier retries.
/// </summary>
public sealed class LoopbackEventPump(LoopbackCarrierLink link, CallService calls) : BackgroundService
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly List<CarrierEvent> _unknown = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                List<CarrierEvent> batch;
                try
                {
                    // Not canceled mid-request: events the carrier has handed over are applied before the pump stops.
                    batch = await Http.GetFromJsonAsync<List<CarrierEvent>>(new Uri(link.BaseUrl, "/events?waitMs=300"), CancellationToken.None) ?? [];
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(200, stoppingToken);
                    continue;
                }
                batch.InsertRange(0, _unknown);
                _unknown.Clear();
                foreach (var e in batch)
                {
                    var call = await calls.FindByProviderCallIdAsync(LoopbackProvider.Name, e.Sid, CancellationToken.None);
                    if (call is null) { _unknown.Add(e); continue; }
                    CallStatuses.TryParse(e.Status, out CallStatus status);
                    await calls.UpdateStatusAsync(call.Id, status, e.At, null, CancellationToken.None);
                }
                if (_unknown.Count > 0) await Task.Delay(50, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (_unknown.Count > 0)
            {
                try { await Http.PostAsJsonAsync(new Uri(link.BaseUrl, "/events/requeue"), _unknown); }
                catch (HttpRequestException) { }
            }
        }
    }
}
