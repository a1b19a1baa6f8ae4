namespace DograhConsole.Tests.Providers.Telnyx;

/// <summary>One operation of the Telnyx API the fake serves: its OpenAPI path (under /v2), request schema and required body fields.</summary>
public sealed record FakeTelnyxOperation(string Method, string SpecPath, string? RequestSchema, IReadOnlyList<string> Required);
