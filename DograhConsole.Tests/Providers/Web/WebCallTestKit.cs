using System.Net;
using System.Security.Claims;
using DograhConsole.Core.Data;
using DograhConsole.Core.Media.Codecs;
using DograhConsole.Core.Providers.Web;
using DograhConsole.Tests.Infrastructure;
using DograhConsole.Tests.Security;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Tests.Providers.Web;

public static class WebCallTestKit
{
    /// <summary>Tone, a one-key menu (1 and 2 branch and hang up) as in <see cref="TestWorkflows.Menu"/>, recorded.</summary>
    public static readonly string RecordedMenu = TestWorkflows.Menu.Trim().Replace("{\"steps\"", "{\"record\":true,\"steps\"", StringComparison.Ordinal);

    /// <summary>Signs the admin in over the loopback port; the cookies then open the browser sockets.</summary>
    public static async Task<CookieContainer> SignInOverLoopbackAsync(this DograhAppFactory app, string email = DograhAppFactory.AdminEmail)
    {
        var cookies = new CookieContainer();
        using var session = CookieSession.OverLoopback(app, cookies);
        var response = await session.SignInAsync(email);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return cookies;
    }

    /// <summary>Starts a web call as the dialog does, for a user of <paramref name="organizationId"/>.</summary>
    public static async Task<Core.Common.OperationResult<WebCallStart>> StartWebCallAsync(this DograhAppFactory app, Guid organizationId, Guid workflowId,
        string actor = DograhAppFactory.AdminEmail)
    {
        using var scope = app.Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<OrganizationContext>().SetPrincipal(new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(DograhClaims.OrganizationId, organizationId.ToString()), new Claim(DograhClaims.Actor, actor)], "test")));
        return await scope.ServiceProvider.GetRequiredService<WebProviderCalls>().StartAsync(workflowId);
    }

    /// <summary>One channel of a call recording (stereo PCM16 after the 44-byte header): 0 the caller, 1 the agent.</summary>
    public static short[] RecordedChannel(byte[] wav, int channel)
    {
        var samples = new short[(wav.Length - WavFile.HeaderLength) / 2];
        Pcm16.BytesToSamples(wav.AsSpan(WavFile.HeaderLength, samples.Length * 2), samples);
        return Enumerable.Range(0, samples.Length / 2).Select(i => samples[i * 2 + channel]).ToArray();
    }

    /// <summary>
    /// The largest share of a 100 ms window's energy at <paramref name="frequency"/> (Goertzel) over all windows:
    /// near 1 where a clean tone of that frequency plays, near 0 where it does not.
    /// </summary>
    public static double ToneShare(ReadOnlySpan<short> samples, int rate, double frequency)
    {
        var window = rate / 10;
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / rate);
        var best = 0.0;
        for (var start = 0; start + window <= samples.Length; start += window / 2)
        {
            double s1 = 0, s2 = 0, energy = 0;
            for (var i = start; i < start + window; i++)
            {
                var x = samples[i] / 32768.0;
                energy += x * x;
                var s0 = x + coefficient * s1 - s2;
                s2 = s1;
                s1 = s0;
            }
            if (energy < 1e-4) continue;
            best = Math.Max(best, 2 * (s1 * s1 + s2 * s2 - coefficient * s1 * s2) / window / energy);
        }
        return best;
    }
}
