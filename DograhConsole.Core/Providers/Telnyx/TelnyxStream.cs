namespace DograhConsole.Core.Providers.Telnyx;

/// <summary>Where a call's audio goes: the media socket, and the base64 client_state carrying the call's media token.</summary>
public sealed record TelnyxStream(string Url, string ClientState);
