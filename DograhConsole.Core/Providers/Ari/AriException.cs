using System.Net;

namespace DograhConsole.Core.Providers.Ari;

/// <summary>
/// A non-2xx answer from ARI, or no answer at all. <see cref="Exception.Message"/> is Asterisk's own message (for example
/// "Channel not in Stasis application") with the operation; it never holds the credentials or a URL carrying them.
/// </summary>
public sealed class AriException(string operation, HttpStatusCode? status, string asteriskMessage, Exception? inner = null)
    : Exception(status is null ? $"ARI {operation}: {asteriskMessage}" : $"ARI {operation}: {(int)status} {asteriskMessage}", inner)
{
    public string Operation { get; } = operation;
    /// <summary>Null when there was no HTTP answer (refused, timed out).</summary>
    public HttpStatusCode? Status { get; } = status;
    public string AsteriskMessage { get; } = asteriskMessage;
    public bool IsNotFound => Status == HttpStatusCode.NotFound;
    public bool IsAuthenticationFailure => Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;
}
