namespace DograhConsole.Core.Telephony.Configurations;

/// <summary>
/// The live state of a standing connection from the console to a configuration's provider (Asterisk's events
/// socket). Carriers that only call the console's webhooks hold none.
/// </summary>
/// <param name="IsUp">True while the console can act on calls through it.</param>
/// <param name="Summary">What the admin reads: "Connected", "Reconnecting", "Not listening".</param>
/// <param name="Since">When it entered this state; null when the state has no start worth showing.</param>
public sealed record ProviderConnection(bool IsUp, string Summary, DateTime? Since, string? LastError, DateTime? LastErrorAt)
{
    /// <summary>The console host holding the connection, when several hosts share the work; null on one host.</summary>
    public string? Host { get; init; }

    /// <summary>The state of a configuration whose connection has not been tried yet.</summary>
    public static readonly ProviderConnection NotStarted = new(false, "Not connected yet", null, null, null);

    /// <summary>One line for a status badge or the dashboard: the state and, when down, the last error.</summary>
    public string Describe() => IsUp || LastError is null ? Summary : $"{Summary}: {LastError}";
}
