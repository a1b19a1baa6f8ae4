using System.Collections.Concurrent;

namespace DograhConsole.Core.Providers.Plivo;

/// <summary>
/// The CallUUID Plivo's signed callbacks named for each request_uuid the dial returned. Plivo can call back before the
/// dial's response is processed, and the outbound service then stores the request_uuid over the CallUUID a callback had
/// already stored: with this, the dial returns the CallUUID when it is known, and a later callback or the stream's start
/// recognises the call by either id. An entry lives until the call's final callback.
/// </summary>
public sealed class PlivoCallUuids
{
    private readonly ConcurrentDictionary<string, string> _byRequest = new(StringComparer.Ordinal);

    public void Remember(string requestUuid, string callUuid) => _byRequest[requestUuid] = callUuid;

    public string? CallUuidOf(string? requestUuid) => requestUuid is not null && _byRequest.TryGetValue(requestUuid, out var callUuid) ? callUuid : null;

    public void Forget(string? requestUuid)
    {
        if (requestUuid is not null) _byRequest.TryRemove(requestUuid, out _);
    }
}
