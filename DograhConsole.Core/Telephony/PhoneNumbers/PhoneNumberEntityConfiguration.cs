using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DograhConsole.Core.Telephony.PhoneNumbers;

public sealed class PhoneNumberEntityConfiguration : IEntityTypeConfiguration<PhoneNumber>
{
    public void Configure(EntityTypeBuilder<PhoneNumber> builder)
    {
        builder.ToTable("PhoneNumbers");
        builder.Property(n => n.UniqueWithin).HasMaxLength(36);
        builder.HasIndex(n => new { n.UniqueWithin, n.NormalizedAddress }).IsUnique();
        builder.HasIndex(n => n.OrganizationId);
        builder.HasOne(n => n.InboundWorkflow).WithMany().HasForeignKey(n => n.InboundWorkflowId).OnDelete(DeleteBehavior.Restrict);
    }
}
