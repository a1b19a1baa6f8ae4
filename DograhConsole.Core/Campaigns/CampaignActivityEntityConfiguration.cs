using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DograhConsole.Core.Campaigns;

public sealed class CampaignActivityEntityConfiguration : IEntityTypeConfiguration<CampaignActivity>
{
    public void Configure(EntityTypeBuilder<CampaignActivity> builder)
    {
        builder.ToTable("CampaignActivities");
        builder.HasIndex(a => new { a.CampaignId, a.Id });
        builder.HasOne<Campaign>().WithMany().HasForeignKey(a => a.CampaignId).OnDelete(DeleteBehavior.Cascade);
    }
}
