using Microsoft.AspNetCore.Http;

namespace DograhConsole.Core.Providers.Vonage;

/// <summary>
/// A verified token held by the one request that carries it, until that request was handled: <see cref="Spend"/> when
/// it was (the token is refused from then on), <see cref="Release"/> when handling failed (a retry with the same token
/// is accepted). The first of the two counts; later calls change nothing.
/// </summary>
public sealed class VonageTokenReservation
{
    private readonly VonageWebhookVerifier _verifier;
    private State _state;

    internal VonageTokenReservation(VonageWebhookVerifier verifier, UInt128 key, Guid configurationId)
    {
        _verifier = verifier;
        Key = key;
        ConfigurationId = configurationId;
    }

    internal UInt128 Key { get; }
    internal Guid ConfigurationId { get; }
    internal bool Spent => _state == State.Spent;

    public void Spend() => _verifier.Settle(this, spend: true);

    public void Release() => _verifier.Settle(this, spend: false);

    /// <summary>
    /// Settles by the request's answer: spent when it is below 500, released on a server error or 499 (the handling was
    /// cancelled because the client went away, so nothing was answered). Decided as the response starts, before the
    /// client can see it, so a retry sent the moment a 500 arrives finds the token free; and, failing that, when the
    /// response completed (the server skips the starting callbacks after an exception no middleware caught).
    /// </summary>
    public void SettleWith(HttpResponse response)
    {
        response.OnStarting(() =>
        {
            SettleBy(response.StatusCode);
            return Task.CompletedTask;
        });
        response.OnCompleted(() =>
        {
            SettleBy(response.StatusCode);
            return Task.CompletedTask;
        });
    }

    /// <summary>Whether a request answered with <paramref name="statusCode"/> was handled (its token is spent).</summary>
    public static bool Handled(int statusCode) =>
        statusCode < StatusCodes.Status500InternalServerError && statusCode != StatusCodes.Status499ClientClosedRequest;

    internal bool TrySettle(bool spend)
    {
        if (_state != State.Held) return false;
        _state = spend ? State.Spent : State.Released;
        return true;
    }

    private void SettleBy(int statusCode)
    {
        if (Handled(statusCode)) Spend();
        else Release();
    }

    private enum State { Held, Spent, Released }
}
