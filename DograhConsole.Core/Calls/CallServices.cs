using DograhConsole.Core.Calls.History;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Calls;

public static class CallServices
{
    /// <summary>
    /// The bus, the limiter and <see cref="CallService"/> are singletons (webhooks, media sessions and jobs use them
    /// without a signed-in user); <see cref="OrganizationCalls"/>, the history and recordings are per request/circuit.
    /// <see cref="ICallHangup"/> is implemented by call control. The call changes still queued are written when the host stops.
    /// </summary>
    public static IServiceCollection AddCalls(this IServiceCollection services)
    {
        services.AddSingleton<CallEventBus>();
        services.AddSingleton<CallConcurrencyLimiter>();
        services.AddSingleton<CallService>();
        services.AddHostedService<CallEventFlush>();
        services.AddHostedService<CallEventRelay>();
        services.AddScoped<OrganizationCalls>();
        services.AddScoped<CallHistory>();
        services.AddScoped<CallRecordings>();
        return services;
    }
}
