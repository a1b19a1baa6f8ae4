using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DograhConsole.Core.Telephony.Configurations;

public sealed class TelephonyConfigurationEntityConfiguration : IEntityTypeConfiguration<TelephonyConfiguration>
{
    public void Configure(EntityTypeBuilder<TelephonyConfiguration> builder)
    {
        builder.ToTable("TelephonyConfigurations");
        builder.HasIndex(c => new { c.OrganizationId, c.Name }).IsUnique();
        builder.HasIndex(c => new { c.Provider, c.AccountKey });
        builder.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId);
        builder.HasMany(c => c.PhoneNumbers).WithOne(n => n.TelephonyConfiguration!).HasForeignKey(n => n.TelephonyConfigurationId);
    }
}
