using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using DograhConsole.Core.Media.Sessions;
using DograhConsole.Core.Telephony;
using DograhConsole.Core.Telephony.Calls;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Calls.Fakes;

/// <summary>
/// A test provider, "testcarrier", whose call control speaks HTTP to a <see cref="LoopbackCarrier"/>: the console's
/// router, outbound service and hang-up run unchanged against it. Replace with the Twilio fake once merged.
/// </summary>
public sealed class TestCarrierCalls(IHttpClientFactory http) : IProviderCalls
{
    public const string Name = "testcarrier";

    public string Provider => Name;

    public static ProviderSpec Spec() => new()
    {
        Name = Name,
        DisplayName = "Test carrier",
        Description = "A loopback carrier for tests.",
        Kind = ProviderKind.Carrier,
        MediaFormat = MediaFormat.MuLaw8k,
        Fields =
        [
            new CredentialField("apiBaseUrl", "API base URL", Required: true),
            new CredentialField("apiToken", "API token", CredentialFieldType.Password, Required: true, Sensitive: true),
        ],
        AccountKeyField = "apiBaseUrl",
        AddressTypes = new HashSet<AddressType> { AddressType.E164 },
        SetupValues = _ => [],
    };

    /// <summary>Registers the spec and this call control in a test app.</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddTelephonyProvider(Spec());
        services.AddProviderCalls<TestCarrierCalls>();
        services.AddHttpClient();
    }

    public async Task<OperationResult<string>> DialAsync(ProviderDial dial, CancellationToken ct)
    {
        using var response = await Client(dial.Account).PostAsJsonAsync("calls", new { from = dial.From, to = dial.To, callId = dial.Call.Id }, ct);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(ct);
        if (!response.IsSuccessStatusCode) return Refused<string>(body);
        return OperationResult<string>.Success(body!["id"]!.GetValue<string>());
    }

    public async Task<OperationResult<bool>> HangUpAsync(CallView call, ProviderAccount account, CancellationToken ct)
    {
        using var response = await Client(account).PostAsync($"calls/{call.ProviderCallId}/hangup", null, ct);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return OperationResult<bool>.Success(false);
        if (!response.IsSuccessStatusCode) return Refused<bool>(await response.Content.ReadFromJsonAsync<JsonObject>(ct));
        return OperationResult<bool>.Success(true);
    }

    public async Task<OperationResult<TransferOutcome>> TransferAsync(CallView call, ProviderAccount account, string to, CancellationToken ct)
    {
        using var response = await Client(account).PostAsJsonAsync($"calls/{call.ProviderCallId}/transfer", new { to }, ct);
        if (!response.IsSuccessStatusCode) return Refused<TransferOutcome>(await response.Content.ReadFromJsonAsync<JsonObject>(ct));
        return OperationResult<TransferOutcome>.Success(TransferOutcome.Transferred);
    }

    private HttpClient Client(ProviderAccount account)
    {
        var client = http.CreateClient(Name);
        client.BaseAddress = new Uri(account.Credential("apiBaseUrl").TrimEnd('/') + "/");
        client.Timeout = TimeSpan.FromSeconds(10);
        client.DefaultRequestHeaders.Authorization = new("Bearer", account.Credential("apiToken"));
        return client;
    }

    private static OperationResult<T> Refused<T>(JsonObject? body) =>
        OperationResult<T>.Conflict(body?["message"]?.GetValue<string>() ?? "The carrier refused the request.", ProviderCallCodes.ProviderError);
}
