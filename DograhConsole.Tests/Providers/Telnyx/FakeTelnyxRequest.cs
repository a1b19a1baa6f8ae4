namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>One request the console sent to the fake, with the operation of the spec it matched.</summary>
public sealed record FakeTelnyxRequest(string Method, string Path, string Query, string Body, string? Authorization, FakeTelnyxOperation? Operation);
