using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DograhConsole.Core.Calls;

public static class CallServices
{
    /// <summary>
    /// The bus, the limiter and <see cref="CallService"/> are singletons (webhooks, media sessions and jobs use them
    /// without a signed-in user); <see cref="OrganizationCalls"/> is per request/circuit. <see cref="ICallHangup"/> is
    /// only added when nothing registered one before.
    /// </summary>
    public static IServiceCollection AddCalls(this IServiceCollection services)
    {
        services.AddSingleton<CallEventBus>();
        services.AddSingleton<CallConcurrencyLimiter>();
        services.AddSingleton<CallService>();
        services.TryAddScoped<ICallHangup, ProviderCallHangup>();
        services.AddSingleton<Media.CallMediaTokens>();
        services.AddSingleton<Media.MediaStartWatch>();
        services.AddScoped<OrganizationCalls>();
        return services;
    }
}
