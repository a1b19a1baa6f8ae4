using Microsoft.Extensions.DependencyInjection;

namespace DograhConsole.Core.Data.Leases;

public static class LeaseServices
{
    /// <summary>The "Dograh:Leases" settings and <see cref="Leases"/>.</summary>
    public static IServiceCollection AddLeases(this IServiceCollection services)
    {
        services.AddOptions<LeaseOptions>().BindConfiguration(LeaseOptions.SectionName);
        services.AddSingleton<Leases>();
        return services;
    }
}
