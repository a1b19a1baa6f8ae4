using DograhConsole.Core.Telephony.Calls;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.Inbound;
using DograhConsole.Core.Telephony.PhoneNumbers;
using DograhConsole.Core.Telephony.Providers.Ari;
using DograhConsole.Core.Telephony.Providers.Twilio;
using DograhConsole.Core.Telephony.Providers.Vonage;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Telephony;

public static class TelephonyServices
{
    public static IServiceCollection AddTelephony(this IServiceCollection services)
    {
        services.AddTelephonyProvider(TwilioProviderSpec.Create());
        services.AddTelephonyProvider(VonageProviderSpec.Create());
        services.AddTelephonyProvider(AriProviderSpec.Create());
        services.AddVonage();
        services.AddTwilio();

        services.AddSingleton<ProviderRegistry>();
        services.AddProviderCallControl();
        services.AddInboundRouting();
        services.AddSingleton<ConfigurationCredentials>();
        services.AddSingleton<TelephonyConfigurationChanges>();
        services.AddScoped<TelephonyConfigurationService>();
        services.AddScoped<PhoneNumberService>();
        services.AddScoped<ITelephonyConfigurationUsage>(sp => sp.GetRequiredService<PhoneNumberService>());
        services.AddAri();
        return services;
    }

    /// <summary>The one registration a new provider needs.</summary>
    public static IServiceCollection AddTelephonyProvider(this IServiceCollection services, ProviderSpec spec) => services.AddSingleton(spec);
}
