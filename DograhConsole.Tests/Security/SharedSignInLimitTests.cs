using System.Net;
using DograhConsole.Tests.Infrastructure;

namespace DograhConsole.Tests.Security;

/// <summary>The sign-in limit of one address with two hosts on one Redis: attempts at either host count against the same limit.</summary>
[Trait("Category", "Host")]
public sealed class SharedSignInLimitTests
{
    [ServersFact(postgres: false, redis: true)]
    public async Task Sign_in_attempts_at_both_hosts_count_against_one_limit()
    {
        await using var hosts = await TwoHosts.StartAsync(host => host.Settings["Dograh:SignInAttemptsPerMinute"] = "5");
        using var atA = CookieSession.OverLoopback(hosts.A, new System.Net.CookieContainer());
        using var atB = CookieSession.OverLoopback(hosts.B, new System.Net.CookieContainer());
        var tokenA = await atA.FormTokenAsync();
        var tokenB = await atB.FormTokenAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var a = await atA.PostFormAsync("/account/login", tokenA, ("email", "nobody@example.test"), ("password", "wrong-password"));
            using var b = await atB.PostFormAsync("/account/login", tokenB, ("email", "nobody@example.test"), ("password", "wrong-password"));
            statuses.Add(a.StatusCode);
            statuses.Add(b.StatusCode);
        }
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Redirect));
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }
}
