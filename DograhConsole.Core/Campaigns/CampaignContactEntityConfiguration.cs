using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DograhConsole.Core.Campaigns;

public sealed class CampaignContactEntityConfiguration : IEntityTypeConfiguration<CampaignContact>
{
    public void Configure(EntityTypeBuilder<CampaignContact> builder)
    {
        builder.ToTable("CampaignContacts");
        builder.Property(c => c.State).HasMaxLength(16);
        // (CampaignId, State) ends in the rowid, so "the next queued contact in file order" is an index seek.
        builder.HasIndex(c => new { c.CampaignId, c.State });
        builder.HasIndex(c => new { c.CampaignId, c.State, c.NextAttemptAt });
        builder.HasIndex(c => new { c.CampaignId, c.PhoneNumber }).IsUnique();
        builder.HasOne<Campaign>().WithMany().HasForeignKey(c => c.CampaignId).OnDelete(DeleteBehavior.Cascade);
    }
}
