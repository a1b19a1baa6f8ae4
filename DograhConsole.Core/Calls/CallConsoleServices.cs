using DograhConsole.Core.Calls.History;
using DograhConsole.Core.Calls.Media;
using DograhConsole.Core.Calls.Outbound;
using DograhConsole.Core.Calls.Transfer;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Calls;

public static class CallConsoleServices
{
    /// <summary>What the console's call pages read and do: history, recordings, Phone Call choices, transfer, live media levels.</summary>
    public static IServiceCollection AddCallConsole(this IServiceCollection services)
    {
        services.AddSingleton<LiveMediaSessions>();
        services.AddScoped<CallHistory>();
        services.AddScoped<CallRecordings>();
        services.AddScoped<PhoneCallChoices>();
        services.AddScoped<CallTransferService>();
        return services;
    }
}
