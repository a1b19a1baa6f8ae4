using DograhConsole.Core.Telephony.Calls;
using DograhConsole.Core.Telephony.Configurations;
using DograhConsole.Core.Telephony.Inbound;
using DograhConsole.Core.Telephony.PhoneNumbers;
using DograhConsole.Core.Telephony.Providers.Ari;
using DograhConsole.Core.Telephony.Providers.Twilio;
using DograhConsole.Core.Telephony.Providers.Vonage;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Telephony;

public static class TelephonyServices
{
    public static IServiceCollection AddTelephony(this IServiceCollection services)
    {
        services.AddSingleton<ProviderRegistry>();
        services.AddProviderCallControl();
        services.AddInboundRouting();
        services.AddSingleton<ConfigurationCredentials>();
        services.AddSingleton<TelephonyConfigurationChanges>();
        services.AddScoped<TelephonyConfigurationService>();
        services.AddScoped<PhoneNumberService>();
        services.AddScoped<ITelephonyConfigurationUsage>(sp => sp.GetRequiredService<PhoneNumberService>());

        // One line per provider folder: its spec, call control, inbound protocol, webhooks and media edge.
        services.AddTwilio();
        services.AddVonage();
        services.AddAri();
        return services;
    }

    /// <summary>The shared inbound webhook, then each provider's own webhooks and media sockets (one line per provider).</summary>
    public static IEndpointRouteBuilder MapTelephonyProviders(this IEndpointRouteBuilder app)
    {
        app.MapInboundWebhook();
        app.MapTwilioEndpoints();
        app.MapVonageEndpoints();
        app.MapAriEndpoints();
        return app;
    }

    /// <summary>Registers a provider's spec; each provider's Add method calls it.</summary>
    public static IServiceCollection AddTelephonyProvider(this IServiceCollection services, ProviderSpec spec) => services.AddSingleton(spec);
}
