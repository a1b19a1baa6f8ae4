using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony.Configurations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Infrastructure;

/// <summary>Credentials that pass validation, with the secret values a response or log must never show in full.</summary>
public sealed record SampleCredentials(string Provider, Dictionary<string, string?> Values, IReadOnlyList<string> Secrets);

public static class Samples
{
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private static readonly Lazy<string> VonagePrivateKey = new(() =>
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportPkcs8PrivateKeyPem();
    });

    /// <summary>A random letters-and-digits secret, so JSON escaping cannot hide a leak from a text search.</summary>
    /// <summary>A loopback address where nothing listens (the discard port), so a provider call fails at once.</summary>
    public const string UnreachableApi = "http://127.0.0.1:9";

    public static string Token(int length = 32) => RandomNumberGenerator.GetString(Alphanumeric, length);

    public static string TwilioAccountSid() => "AC" + RandomNumberGenerator.GetHexString(32, lowercase: true);

    public static SampleCredentials Twilio(string? authToken = null)
    {
        var token = authToken ?? Token(32);
        return new("twilio", new() { ["accountSid"] = TwilioAccountSid(), ["authToken"] = token, ["apiBaseUrl"] = UnreachableApi }, [token]);
    }

    public static SampleCredentials Vonage(bool withSignatureSecret = true)
    {
        var apiSecret = Token(20);
        var values = new Dictionary<string, string?>
        {
            ["apiKey"] = "a1b2c3d4",
            ["apiSecret"] = apiSecret,
            ["applicationId"] = Guid.NewGuid().ToString("D"),
            ["privateKey"] = VonagePrivateKey.Value,
            // Nothing listens there: tests that do not start a fake never reach the real Vonage API.
            ["apiBaseUrl"] = UnreachableApi,
        };
        var secrets = new List<string> { apiSecret, VonagePrivateKey.Value };
        if (withSignatureSecret)
        {
            var signatureSecret = Token(40);
            values["signatureSecret"] = signatureSecret;
            secrets.Add(signatureSecret);
        }
        return new("vonage", values, secrets);
    }

    public static SampleCredentials Telnyx()
    {
        var apiKey = "KEY" + Token(40);
        // The RFC 8032 test 1 public key: any 32 bytes of base64 pass the form; nothing here verifies a webhook.
        var values = new Dictionary<string, string?>
        {
            ["apiKey"] = apiKey,
            ["connectionId"] = "1494404757140276705",
            ["publicKey"] = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
            ["apiBaseUrl"] = UnreachableApi,
        };
        return new("telnyx", values, [apiKey]);
    }

    public static SampleCredentials Ari(string? stasisAppName = null)
    {
        var password = Token(24);
        var values = new Dictionary<string, string?> { ["ariEndpointUrl"] = UnreachableApi + "/ari", ["appPassword"] = password };
        if (stasisAppName is not null) values["stasisAppName"] = stasisAppName;
        return new("ari", values, [password]);
    }

    public static SampleCredentials Plivo()
    {
        var authToken = Token(40);
        var values = new Dictionary<string, string?>
        {
            ["authId"] = "MA" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 18),
            ["authToken"] = authToken,
            ["applicationId"] = "12345678901234567",
            // Nothing listens there: tests that do not start a fake never reach the real Plivo API.
            ["apiBaseUrl"] = UnreachableApi,
        };
        return new("plivo", values, [authToken]);
    }

    public static SampleCredentials For(string provider) => provider switch
    {
        "twilio" => Twilio(),
        "vonage" => Vonage(),
        "telnyx" => Telnyx(),
        "ari" => Ari(),
        "plivo" => Plivo(),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, null),
    };

    public static string UniqueName(string prefix) => $"{prefix} {Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A +1 415 555 01xx-style number that no other test uses.</summary>
    // San Francisco's exchanges 200-999 are all valid in the numbering plan; 0xx and 1xx are not.
    public static string UniqueE164() => "+1415" + RandomNumberGenerator.GetInt32(2_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public const string SimpleDefinition = """{"steps":[{"id":"hello","type":"say","text":"Hello"},{"type":"hangup"}]}""";
}

/// <summary>A response read to the end, with its body as text and (when it is JSON) as a node.</summary>
public sealed class ApiResponse(HttpStatusCode status, string text, string? mediaType, Uri? location = null)
{
    public HttpStatusCode Status { get; } = status;
    public Uri? Location { get; } = location;
    public string Text { get; } = text;
    public string? MediaType { get; } = mediaType;

    public JsonNode Json => JsonNode.Parse(Text) ?? throw new InvalidOperationException("The body is JSON null.");

    public Guid Id => Json["id"]!.GetValue<Guid>();

    /// <summary>The ValidationProblem's field keys.</summary>
    public IReadOnlyCollection<string> ErrorFields => Json["errors"]?.AsObject().Select(e => e.Key).ToList() ?? [];

    public string ErrorText(string field) => string.Join(" ", Json["errors"]![field]!.AsArray().Select(m => m!.GetValue<string>()));

    public string Detail => Json["detail"]?.GetValue<string>() ?? "";

    public ApiResponse Expect(HttpStatusCode expected)
    {
        Assert.True(Status == expected, $"Expected {(int)expected} {expected} but got {(int)Status} {Status}: {Text}");
        return this;
    }
}

public static class ApiCalls
{
    public const string Configs = "/api/v1/telephony-configs";
    public const string Workflows = "/api/v1/workflows";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<ApiResponse> ApiSendAsync(this HttpClient client, HttpMethod method, string url, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url);
        // A StringContent, like most clients send: it carries a Content-Length.
        if (body is not null) request.Content = new StringContent(JsonSerializer.Serialize(body, body.GetType(), Json), Encoding.UTF8, "application/json");
        return await ReadAsync(await client.SendAsync(request));
    }

    public static async Task<ApiResponse> ApiSendRawAsync(this HttpClient client, HttpMethod method, string url, string rawBody)
    {
        using var request = new HttpRequestMessage(method, url) { Content = new StringContent(rawBody, Encoding.UTF8, "application/json") };
        return await ReadAsync(await client.SendAsync(request));
    }

    private static async Task<ApiResponse> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            return new ApiResponse(response.StatusCode, await response.Content.ReadAsStringAsync(),
                response.Content.Headers.ContentType?.MediaType, response.Headers.Location);
        }
    }

    public static Task<ApiResponse> ApiGetAsync(this HttpClient client, string url) => client.ApiSendAsync(HttpMethod.Get, url);
    public static Task<ApiResponse> ApiPostAsync(this HttpClient client, string url, object? body) => client.ApiSendAsync(HttpMethod.Post, url, body);
    public static Task<ApiResponse> ApiPutAsync(this HttpClient client, string url, object? body) => client.ApiSendAsync(HttpMethod.Put, url, body);
    public static Task<ApiResponse> ApiDeleteAsync(this HttpClient client, string url) => client.ApiSendAsync(HttpMethod.Delete, url);

    public static async Task<ApiResponse> CreateConfigAsync(this HttpClient client, SampleCredentials credentials, string? name = null) =>
        (await client.ApiPostAsync(Configs, new { name = name ?? Samples.UniqueName(credentials.Provider), provider = credentials.Provider, credentials = credentials.Values }))
        .Expect(HttpStatusCode.Created);

    public static async Task<ApiResponse> CreateNumberAsync(this HttpClient client, Guid configId, string address, Guid? workflowId = null, string? countryCode = null) =>
        (await client.ApiPostAsync($"{Configs}/{configId}/phone-numbers", new { address, inboundWorkflowId = workflowId, countryCode }))
        .Expect(HttpStatusCode.Created);

    public static async Task<ApiResponse> CreateWorkflowAsync(this HttpClient client, string? name = null, string definition = Samples.SimpleDefinition) =>
        (await client.ApiPostAsync(Workflows, new { name = name ?? Samples.UniqueName("Workflow"), definition })).Expect(HttpStatusCode.Created);

    public static async Task<int> CountAsync(this HttpClient client, string url)
    {
        var list = (await client.ApiGetAsync(url)).Expect(HttpStatusCode.OK);
        return list.Json.AsArray().Count;
    }

    /// <summary>The stored credentials, decrypted, straight from the database (whatever the organization).</summary>
    public static async Task<Dictionary<string, string>> StoredCredentialsAsync(this DograhAppFactory factory, Guid configurationId)
    {
        var entity = await factory.StoredConfigurationAsync(configurationId);
        return factory.Services.GetRequiredService<ConfigurationCredentials>().Read(entity);
    }

    public static async Task<TelephonyConfiguration> StoredConfigurationAsync(this DograhAppFactory factory, Guid configurationId)
    {
        var dbFactory = factory.Services.GetRequiredService<IDbContextFactory<DograhDbContext>>();
        await using var db = await dbFactory.CreateDbContextAsync();
        return await db.TelephonyConfigurations.IgnoreQueryFilters().AsNoTracking().SingleAsync(c => c.Id == configurationId);
    }
}

/// <summary>One app per test class; each test that depends on organization-wide state works in an organization of its own.</summary>
public abstract class ApiTestBase(DograhAppFactory factory) : IDisposable
{
    protected DograhAppFactory Factory { get; } = factory;

    /// <summary>The first organization, through the Dograh:Admin:ApiKey key.</summary>
    protected HttpClient Admin { get; } = factory.CreateApiClient();

    private readonly List<HttpClient> _clients = [];

    protected async Task<HttpClient> NewOrganizationClientAsync()
    {
        var key = await Factory.CreateOrganizationAsync("org" + Guid.NewGuid().ToString("N")[..12]);
        var client = Factory.CreateApiClient(key);
        _clients.Add(client);
        return client;
    }

    public void Dispose()
    {
        Admin.Dispose();
        foreach (var client in _clients) client.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Checks that a secret is not visible in a text, whether written plainly or JSON-escaped.</summary>
public static class SecretAssert
{
    /// <summary>The pieces of a secret that must not show: the whole value and, for multi-line secrets such as PEM keys, each long line.</summary>
    public static IEnumerable<string> Fragments(string secret)
    {
        yield return secret;
        foreach (var line in secret.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.Length >= 16 && !line.StartsWith("-----", StringComparison.Ordinal)) yield return line;
        }
    }

    public static void NotIn(string text, IEnumerable<string> secrets, string where)
    {
        var decoded = DecodeJsonStrings(text);
        foreach (var secret in secrets)
        {
            foreach (var fragment in Fragments(secret))
            {
                Assert.False(text.Contains(fragment, StringComparison.Ordinal), $"A secret ({fragment[..Math.Min(6, fragment.Length)]}...) appears in {where}.");
                Assert.False(decoded.Contains(fragment, StringComparison.Ordinal), $"A secret ({fragment[..Math.Min(6, fragment.Length)]}...) appears JSON-encoded in {where}.");
            }
        }
    }

    public static void NotInLogs(DograhAppFactory factory, IEnumerable<string> secrets) =>
        NotIn(string.Join("\n", factory.LogLines), secrets, "the application log");

    /// <summary>Every string in a JSON text, unescaped, so that \u002B or \n escapes cannot hide a secret.</summary>
    private static string DecodeJsonStrings(string text)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return "";
        }
        var builder = new StringBuilder();
        Collect(node, builder);
        return builder.ToString();
    }

    private static void Collect(JsonNode? node, StringBuilder builder)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    builder.Append(key).Append('\n');
                    Collect(value, builder);
                }
                break;
            case JsonArray array:
                foreach (var item in array) Collect(item, builder);
                break;
            case JsonValue value when value.TryGetValue<string>(out var s):
                builder.Append(s).Append('\n');
                break;
        }
    }
}
