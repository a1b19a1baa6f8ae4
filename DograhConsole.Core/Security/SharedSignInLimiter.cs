using System.Threading.RateLimiting;
using DograhConsole.Core.Hosting;
using StackExchange.Redis;

namespace DograhConsole.Core.Security;

/// <summary>
/// The sign-in limit of one client address counted in Redis, so every host counts the same attempts: a fixed one-minute
/// window per address (<c>{prefix}:sign-in:{address}:{minute}</c>, INCR then EXPIRE), refused past the limit. When Redis
/// cannot answer, this host's own count (<paramref name="local"/>) decides, so an outage neither opens nor closes sign-in.
/// </summary>
internal sealed class SharedSignInLimiter(RedisConnection redis, string address, int limit, RateLimiter local, TimeProvider time) : RateLimiter
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // The partition is dropped once idle; the window's count lives on in Redis.
    public override TimeSpan? IdleDuration => local.IdleDuration;

    public override RateLimiterStatistics? GetStatistics() => local.GetStatistics();

    // Never decided without Redis's count: the middleware then asks AcquireAsync.
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.Refused;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        var window = time.GetUtcNow().ToUnixTimeSeconds() / (long)Window.TotalSeconds;
        var key = redis.Key($"sign-in:{address}:{window}");
        try
        {
            var database = redis.Database;
            var count = await database.StringIncrementAsync(key, permitCount);
            // Kept a little past the window, so a host whose clock runs behind still finds the count.
            if (count == permitCount) await database.KeyExpireAsync(key, Window * 2, CommandFlags.FireAndForget);
            return count <= limit ? Lease.Granted : Lease.Refused;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return await local.AcquireAsync(permitCount, cancellationToken);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) local.Dispose();
        base.Dispose(disposing);
    }

    private sealed class Lease(bool acquired) : RateLimitLease
    {
        public static readonly Lease Granted = new(true);
        public static readonly Lease Refused = new(false);

        public override bool IsAcquired { get; } = acquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
