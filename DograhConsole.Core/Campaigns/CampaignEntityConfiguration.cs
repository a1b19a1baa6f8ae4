using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DograhConsole.Core.Campaigns;

public sealed class CampaignEntityConfiguration : IEntityTypeConfiguration<Campaign>
{
    public void Configure(EntityTypeBuilder<Campaign> builder)
    {
        builder.ToTable("Campaigns");
        builder.Property(c => c.Name).HasMaxLength(TextRules.MaxNameLength);
        builder.Property(c => c.Status).HasMaxLength(16);
        builder.HasIndex(c => new { c.OrganizationId, c.CreatedAt });
        builder.HasIndex(c => c.Status);
        builder.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId);
    }
}
