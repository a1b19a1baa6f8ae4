namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>A signed webhook about to be sent (or sent); tests change it to forge one, or send it again to replay it.</summary>
public sealed class FakeTelnyxWebhook
{
    public string Url { get; set; } = "";
    public string Body { get; set; } = "";
    public string Timestamp { get; set; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
    /// <summary>Null until signed; set it to send a signature of the test's own.</summary>
    public string? Signature { get; set; }
    /// <summary>False sends neither telnyx-signature-ed25519 nor telnyx-timestamp.</summary>
    public bool Signed { get; set; } = true;
    public string ContentType { get; set; } = "application/json";
}
