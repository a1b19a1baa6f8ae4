using DograhConsole.Core.Calls.Outbound;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Telephony.Calls;

public static class ProviderCallServices
{
    /// <summary>The router and the outbound service; each provider folder adds its <see cref="IProviderCalls"/> with <see cref="AddProviderCalls{T}"/>.</summary>
    public static IServiceCollection AddProviderCallControl(this IServiceCollection services)
    {
        services.AddSingleton<ProviderCallRouter>();
        services.AddSingleton<OutboundCallService>();
        return services;
    }

    public static IServiceCollection AddProviderCalls<T>(this IServiceCollection services) where T : class, IProviderCalls =>
        services.AddSingleton<IProviderCalls, T>();
}
