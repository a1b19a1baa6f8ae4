namespace DograhConsole.Tests.Providers.Plivo;

/// <summary>A signed webhook the fake is about to send; tests change it to forge one.</summary>
public sealed class FakePlivoWebhook
{
    public HttpMethod Method { get; set; } = HttpMethod.Post;
    /// <summary>The public URL Plivo calls (and signs).</summary>
    public string Url { get; set; } = "";
    public Dictionary<string, string> Parameters { get; set; } = [];
    public string Nonce { get; set; } = "";
    /// <summary>The token signing it; null sends no signature headers.</summary>
    public string? AuthToken { get; set; }
    /// <summary>A signature header to send instead of computing one.</summary>
    public string? Signature { get; set; }
    /// <summary>Changes made after signing (a body altered in transit).</summary>
    public Action<Dictionary<string, string>>? AfterSigning { get; set; }
    /// <summary>A raw body to send instead of the form (malformed input).</summary>
    public byte[]? RawBody { get; set; }
}
