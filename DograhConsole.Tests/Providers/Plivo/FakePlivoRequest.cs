namespace DograhConsole.Tests.Providers.Plivo;

/// <summary>One request the console sent to the fake REST API.</summary>
public sealed record FakePlivoRequest(string Method, string Path, string? ContentType, string Body, string? Authorization);
