using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Telephony.Inbound;

public static class InboundServices
{
    public static IServiceCollection AddInboundRouting(this IServiceCollection services)
    {
        services.AddSingleton<InboundCallRouter>();
        return services;
    }

    /// <summary>The one registration a carrier's inbound webhook needs.</summary>
    public static IServiceCollection AddInboundProtocol<T>(this IServiceCollection services) where T : class, IInboundCallProtocol =>
        services.AddSingleton<IInboundCallProtocol, T>();
}
