using System.Net;

namespace DograhConsole.Core.Providers.Twilio;

/// <summary>What Twilio answered: the SDK's resource, or the error (Twilio's <c>message</c> and <c>code</c>, or the HTTP status).</summary>
public sealed record TwilioApiResult<T>(T? Value, HttpStatusCode? Status, string? Error) where T : class
{
    public bool Succeeded => Value is not null && Error is null;
}
