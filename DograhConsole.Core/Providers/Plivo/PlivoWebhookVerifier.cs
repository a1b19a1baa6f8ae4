using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using DograhConsole.Core.CallControl.Inbound;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DograhConsole.Core.Providers.Plivo;

/// <summary>
/// Checks a Plivo webhook's V3 signature (<see cref="PlivoSignature"/>) against the public URL the console gave Plivo
/// (<see cref="InboundWebhook.ExternalUrl"/>, built from Dograh:PublicBaseUrl, so a proxy in front changes nothing), and
/// accepts each nonce once per account. A nonce is held while its request is handled and spent once it was answered
/// below 500; a request that failed (5xx, or abandoned) frees it again, so Plivo's retry is not lost. V3 carries no
/// timestamp, so spent nonces are remembered for <see cref="NonceRetention"/>, at most <see cref="MaxRemembered"/> per
/// account: beyond that new ones are refused rather than forgetting one that could then be replayed.
/// </summary>
public sealed class PlivoWebhookVerifier(TimeProvider time, ILogger<PlivoWebhookVerifier> logger)
{
    /// <summary>How long a nonce stays spent: a day covers Plivo's retries and any replay of a captured request worth trying.</summary>
    public static readonly TimeSpan NonceRetention = TimeSpan.FromHours(24);

    /// <summary>The most nonces remembered per account: a day of 1 webhook a second is under this, and 100,000 entries are a few MB.</summary>
    public const int MaxRemembered = 100_000;

    private readonly object _gate = new();
    private readonly Dictionary<UInt128, PlivoNonce> _nonces = [];
    private readonly Queue<PlivoNonce> _expiry = new();
    private readonly Dictionary<string, int> _rememberedByAccount = new(StringComparer.Ordinal);

    /// <summary>
    /// Null when the request is signed with <paramref name="authToken"/> and its nonce is fresh (the nonce is then held
    /// for this request and settled by its response); otherwise why not. A bad signature never touches the nonce store.
    /// </summary>
    public string? Problem(InboundWebhook webhook, string authId, string authToken)
    {
        var nonce = webhook.Headers[PlivoSignature.NonceHeader].ToString();
        var signature = webhook.Headers[PlivoSignature.Header].ToString();
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(nonce)) return "the request has no V3 signature or nonce";
        var form = (webhook.Request.ContentType ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
        var isGet = HttpMethods.IsGet(webhook.Method);
        // A GET's fields are its query (already in the URL); a POST signs its form body.
        var parameters = form || isGet ? webhook.Fields : null;
        if (!form && !isGet && webhook.RawBody.Length > 0) return "a POST body that is not a form cannot be verified";
        if (!PlivoSignature.IsValid(authToken, webhook.Method, webhook.ExternalUrl.OriginalString, parameters, nonce, signature))
            return "the V3 signature does not match";
        var problem = Reserve(authId, nonce, out var reservation);
        if (reservation is not null) SettleWith(webhook.Request.HttpContext.Response, reservation);
        return problem;
    }

    /// <summary>How many nonces are remembered now.</summary>
    public int Remembered
    {
        get
        {
            lock (_gate)
            {
                Forget(time.GetUtcNow());
                return _expiry.Count;
            }
        }
    }

    private string? Reserve(string authId, string nonce, out PlivoNonce? reservation)
    {
        reservation = null;
        var key = BinaryPrimitives.ReadUInt128LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(authId + "\n" + nonce)));
        var now = time.GetUtcNow();
        lock (_gate)
        {
            Forget(now);
            if (_nonces.TryGetValue(key, out var known))
                return known.Spent ? "the nonce was already used (a replay)" : "the nonce is in use by a request still being handled";
            var remembered = _rememberedByAccount.GetValueOrDefault(authId);
            if (remembered >= MaxRemembered)
            {
                logger.LogError("Plivo webhook refused: {Count} nonces of account {AuthId} are remembered, the most this console keeps for one account", remembered, authId);
                return "too many nonces are remembered for this account";
            }
            reservation = new PlivoNonce(key, authId, now + NonceRetention);
            _nonces.Add(key, reservation);
            _expiry.Enqueue(reservation);
            _rememberedByAccount[authId] = remembered + 1;
            return null;
        }
    }

    private void SettleWith(HttpResponse response, PlivoNonce nonce)
    {
        response.OnStarting(() =>
        {
            Settle(nonce, response.StatusCode);
            return Task.CompletedTask;
        });
        response.OnCompleted(() =>
        {
            Settle(nonce, response.StatusCode);
            return Task.CompletedTask;
        });
    }

    /// <summary>Spent when the request was handled (below 500, not 499: the client went away); otherwise free for a retry.</summary>
    private void Settle(PlivoNonce nonce, int statusCode)
    {
        lock (_gate)
        {
            if (nonce.Settled) return;
            nonce.Settled = true;
            if (statusCode < StatusCodes.Status500InternalServerError && statusCode != StatusCodes.Status499ClientClosedRequest) nonce.Spent = true;
            else if (_nonces.TryGetValue(nonce.Key, out var held) && held == nonce) _nonces.Remove(nonce.Key);
        }
    }

    private void Forget(DateTimeOffset now)
    {
        // Every nonce lives the same retention, so the queue is in expiry order.
        while (_expiry.TryPeek(out var oldest) && oldest.ExpiresAt <= now)
        {
            _expiry.Dequeue();
            if (_nonces.TryGetValue(oldest.Key, out var held) && held == oldest) _nonces.Remove(oldest.Key);
            var left = _rememberedByAccount[oldest.AuthId] - 1;
            if (left == 0) _rememberedByAccount.Remove(oldest.AuthId);
            else _rememberedByAccount[oldest.AuthId] = left;
        }
    }
}
