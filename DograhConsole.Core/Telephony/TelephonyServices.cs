using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.PhoneNumbers;
using DograhConsole.Core.Workflows;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Telephony;

public static class TelephonyServices
{
    public static IServiceCollection AddTelephony(this IServiceCollection services)
    {
        services.AddSingleton<ProviderRegistry>();
        services.AddSingleton<ConfigurationCredentials>();
        services.AddSingleton<TelephonyConfigurationChanges>();
        services.AddSingleton<ProviderConnectionMonitor>();
        services.AddScoped<TelephonyConfigurationService>();
        services.AddScoped<PhoneNumberService>();
        services.AddScoped<ITelephonyConfigurationUsage>(sp => sp.GetRequiredService<PhoneNumberService>());
        services.AddSingleton<IWorkflowAssignments, PhoneNumberAssignments>();

        return services;
    }

    /// <summary>Registers a provider's spec; each provider's Add method calls it.</summary>
    public static IServiceCollection AddTelephonyProvider(this IServiceCollection services, ProviderSpec spec) => services.AddSingleton(spec);
}
