using DograhConsole.Core.Calls;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DograhConsole.Core.Providers.Ari;

public sealed class AriCallLegEntityConfiguration : IEntityTypeConfiguration<AriCallLeg>
{
    public void Configure(EntityTypeBuilder<AriCallLeg> builder)
    {
        builder.ToTable("AriCallLegs");
        builder.HasKey(l => new { l.ConfigurationId, l.ChannelId });
        builder.Property(l => l.ChannelId).HasMaxLength(128);
        builder.Property(l => l.BridgeId).HasMaxLength(128);
        builder.Property(l => l.Role).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(l => l.CallId);
        builder.HasIndex(l => l.ChannelId);
        builder.HasOne<Call>().WithMany().HasForeignKey(l => l.CallId).OnDelete(DeleteBehavior.Cascade);
    }
}
