using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DograhConsole.Core.Campaigns;

public sealed class CampaignAttemptEntityConfiguration : IEntityTypeConfiguration<CampaignAttempt>
{
    public void Configure(EntityTypeBuilder<CampaignAttempt> builder)
    {
        builder.ToTable("CampaignAttempts");
        builder.HasIndex(a => new { a.ContactId, a.Number }).IsUnique();
        builder.HasIndex(a => new { a.CampaignId, a.Result });
        builder.HasIndex(a => a.CallId);
        builder.HasOne<Campaign>().WithMany().HasForeignKey(a => a.CampaignId).OnDelete(DeleteBehavior.Cascade);
    }
}
