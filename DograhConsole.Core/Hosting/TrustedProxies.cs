using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Hosting;

/// <summary>
/// X-Forwarded-For, -Proto and -Host are believed only from the proxies listed in Dograh:TrustedProxies (addresses
/// or CIDR ranges). With none listed the headers are ignored: ASP.NET Core's forwarded-headers middleware with empty
/// known-proxy lists would believe them from any peer. A forwarded host must also be one of AllowedHosts when that
/// setting names hosts.
/// </summary>
public static class TrustedProxies
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IReadOnlyList<string> trustedProxies, string? allowedHosts)
    {
        var proxies = new List<IPAddress>();
        var networks = new List<System.Net.IPNetwork>();
        foreach (var entry in trustedProxies.Select(p => p.Trim()).Where(p => p.Length > 0))
        {
            if (entry.Contains('/') && System.Net.IPNetwork.TryParse(entry, out var network)) networks.Add(network);
            else if (IPAddress.TryParse(entry, out var address)) proxies.Add(address);
            else throw new InvalidOperationException($"Dograh:TrustedProxies: '{entry}' is neither an IP address nor a CIDR range.");
        }
        var hosts = (allowedHosts ?? "*").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            if (proxies.Count == 0 && networks.Count == 0)
            {
                options.ForwardedHeaders = ForwardedHeaders.None;
                return;
            }
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            foreach (var proxy in proxies) options.KnownProxies.Add(proxy);
            foreach (var network in networks) options.KnownIPNetworks.Add(network);
            if (!hosts.Contains("*")) options.AllowedHosts = hosts.ToList();
        });
        return services;
    }
}
