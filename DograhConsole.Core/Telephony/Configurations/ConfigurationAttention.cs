namespace DograhConsole.Core.Telephony.Configurations;

/// <summary>A reason a configuration needs the admin's attention, with where to fix it.</summary>
public sealed record ConfigurationAttentionItem(Guid ConfigurationId, string Reason);

/// <summary>
/// Attention reasons that the stored configuration cannot tell by itself, such as "ARI disconnected" from the
/// Asterisk connection monitor. A feature registers an implementation with <c>services.AddScoped&lt;IConfigurationAttention, ...&gt;()</c>;
/// the dashboard lists what every implementation reports next to the readiness and warning reasons.
/// </summary>
public interface IConfigurationAttention
{
    Task<IReadOnlyList<ConfigurationAttentionItem>> FindAsync(IReadOnlyList<TelephonyConfigurationView> configurations, CancellationToken ct = default);
}
