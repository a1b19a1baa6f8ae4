using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// The ARI REST calls the console makes, with HTTP Basic (app name and password, as in ari.conf). Every call has the
/// client's timeout; any non-2xx answer throws <see cref="AriException"/> with Asterisk's message, never an empty result.
/// </summary>
public sealed class AriApiClient(HttpClient http, AriAccount account)
{
    private readonly AuthenticationHeaderValue _authorization =
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account.App}:{account.Password}")));

    public Task<AriChannel> OriginateAsync(string channelId, string endpoint, string? callerId, int timeoutSeconds, string appArgs, CancellationToken ct) =>
        SendAsync<AriChannel>(HttpMethod.Post, "channels", "POST /channels", ct,
            ("endpoint", endpoint), ("app", account.App), ("appArgs", appArgs), ("channelId", channelId),
            ("callerId", string.IsNullOrWhiteSpace(callerId) ? null : callerId), ("timeout", timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)))!;

    /// <summary>A chan_websocket channel that makes Asterisk connect to this console through websocket_client.conf's section.</summary>
    public Task<AriChannel> ExternalMediaAsync(string channelId, string? transportData, CancellationToken ct) =>
        SendAsync<AriChannel>(HttpMethod.Post, "channels/externalMedia", "POST /channels/externalMedia", ct,
            ("app", account.App), ("external_host", account.WebSocketClientName), ("transport", "websocket"),
            ("encapsulation", "none"), ("format", "ulaw"), ("channelId", channelId), ("transport_data", transportData))!;

    public Task AnswerAsync(string channelId, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Post, $"channels/{Uri.EscapeDataString(channelId)}/answer", "POST /channels/{id}/answer", ct);

    /// <summary>Hangs up a channel; false when Asterisk no longer has it.</summary>
    public async Task<bool> HangUpAsync(string channelId, CancellationToken ct, string reason = "normal")
    {
        try
        {
            await SendAsync<object>(HttpMethod.Delete, $"channels/{Uri.EscapeDataString(channelId)}", "DELETE /channels/{id}", ct, ("reason", reason));
            return true;
        }
        catch (AriException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<AriChannel>> ListChannelsAsync(CancellationToken ct) =>
        await SendAsync<List<AriChannel>>(HttpMethod.Get, "channels", "GET /channels", ct) ?? [];

    public Task CreateBridgeAsync(string bridgeId, CancellationToken ct) =>
        SendAsync<AriBridge>(HttpMethod.Post, "bridges", "POST /bridges", ct, ("type", "mixing"), ("bridgeId", bridgeId), ("name", bridgeId));

    public Task AddToBridgeAsync(string bridgeId, IEnumerable<string> channelIds, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Post, $"bridges/{Uri.EscapeDataString(bridgeId)}/addChannel", "POST /bridges/{id}/addChannel", ct,
            ("channel", string.Join(',', channelIds)));

    public Task RemoveFromBridgeAsync(string bridgeId, string channelId, CancellationToken ct) =>
        SendAsync<object>(HttpMethod.Post, $"bridges/{Uri.EscapeDataString(bridgeId)}/removeChannel", "POST /bridges/{id}/removeChannel", ct,
            ("channel", channelId));

    /// <summary>Deletes a bridge; false when Asterisk no longer has it.</summary>
    public async Task<bool> DeleteBridgeAsync(string bridgeId, CancellationToken ct)
    {
        try
        {
            await SendAsync<object>(HttpMethod.Delete, $"bridges/{Uri.EscapeDataString(bridgeId)}", "DELETE /bridges/{id}", ct);
            return true;
        }
        catch (AriException e) when (e.IsNotFound)
        {
            return false;
        }
    }

    private async Task<T?> SendAsync<T>(HttpMethod method, string path, string operation, CancellationToken ct, params (string Name, string? Value)[] query)
    {
        var url = new StringBuilder(account.BaseUrl.ToString().TrimEnd('/')).Append('/').Append(path);
        var separator = '?';
        foreach (var (name, value) in query)
        {
            if (value is null) continue;
            url.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }
        using var request = new HttpRequestMessage(method, url.ToString());
        request.Headers.Authorization = _authorization;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(AriClientFactory.RequestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, timeout.Token);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new AriException(operation, null, $"no answer within {AriClientFactory.RequestTimeout.TotalSeconds:0} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new AriException(operation, null, $"cannot reach Asterisk at {account.BaseUrl.GetLeftPart(UriPartial.Authority)}: {e.Message}", e);
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode) throw new AriException(operation, response.StatusCode, AsteriskMessage(body, response));
            if (typeof(T) == typeof(object) || string.IsNullOrWhiteSpace(body)) return default;
            try
            {
                return JsonSerializer.Deserialize<T>(body, AriJson.Options);
            }
            catch (JsonException e)
            {
                throw new AriException(operation, response.StatusCode, "the answer is not the JSON ARI documents", e);
            }
        }
    }

    /// <summary>Asterisk answers errors as {"message": "..."} (some versions {"error": "..."}); otherwise the status text.</summary>
    private static string AsteriskMessage(string body, HttpResponseMessage response)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            foreach (var name in new[] { "message", "error" })
            {
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                    return value.GetString()!;
            }
        }
        catch (JsonException)
        {
        }
        var text = body.Trim();
        return text.Length is > 0 and <= 300 ? text : response.ReasonPhrase ?? "no message";
    }
}
