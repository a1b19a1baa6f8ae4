using System.Text;
using System.Text.Json;
using DograhConsole.Core.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace DograhConsole.Core.CallControl.Inbound;

/// <summary>
/// A webhook request read once: method, headers, the raw body (signatures cover it byte for byte), the form or
/// query fields, the JSON body when there is one, and the external URL the provider called (built from
/// Dograh:PublicBaseUrl, which is what providers sign).
/// </summary>
public sealed class InboundWebhook
{
    /// <summary>A provider's webhook is a form or JSON of a few KB; bounds what an unauthenticated sender makes us buffer before the signature check.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    private InboundWebhook(HttpRequest request, string rawBody, IReadOnlyDictionary<string, StringValues> fields, JsonElement? json, Uri externalUrl)
    {
        Request = request;
        RawBody = rawBody;
        Fields = fields;
        Json = json;
        ExternalUrl = externalUrl;
    }

    public HttpRequest Request { get; }
    public string Method => Request.Method;
    public IHeaderDictionary Headers => Request.Headers;
    public string RawBody { get; }
    /// <summary>Form fields for a form body, otherwise the query string.</summary>
    public IReadOnlyDictionary<string, StringValues> Fields { get; }
    public JsonElement? Json { get; }
    public Uri ExternalUrl { get; }

    public string? Field(string name) => Fields.TryGetValue(name, out var value) && value.Count > 0 ? value[0] : JsonString(name);

    private string? JsonString(string name) =>
        Json is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty(name, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False ? value.GetRawText() : null
            : null;

    /// <summary>Reads the request; null with the error when the body is too large or not what its content type says.</summary>
    public static async Task<(InboundWebhook? Webhook, string? Error)> ReadAsync(HttpRequest request, PublicUrls urls, CancellationToken ct)
    {
        // Too large is the 413 that RequestBodyLimit answers (with one log line), whether the length was declared or not.
        var tooLarge = $"The webhook body is larger than {MaxBodyBytes} bytes.";
        if (request.ContentLength > MaxBodyBytes) throw new BadHttpRequestException(tooLarge, StatusCodes.Status413PayloadTooLarge);
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) throw new BadHttpRequestException(tooLarge, StatusCodes.Status413PayloadTooLarge);
            buffer.Write(chunk, 0, read);
        }
        string body;
        try
        {
            body = new UTF8Encoding(false, true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            return (null, "The webhook body is not valid UTF-8.");
        }

        IReadOnlyDictionary<string, StringValues> fields;
        JsonElement? json = null;
        var contentType = request.ContentType ?? "";
        if (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            fields = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(body.Length == 0 ? "" : "?" + body);
        }
        else
        {
            fields = request.Query.ToDictionary(q => q.Key, q => q.Value);
            if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && body.Length > 0)
            {
                try
                {
                    using var document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
                    json = document.RootElement.Clone();
                }
                catch (JsonException e)
                {
                    return (null, $"The webhook body is not valid JSON: {e.Message}");
                }
            }
        }
        var external = new Uri(urls.Http(request.Path + request.QueryString.Value));
        return (new InboundWebhook(request, body, fields, json, external), null);
    }
}
