using DograhConsole.Core.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DograhConsole.Core.Data;

public sealed class OrganizationEntityConfiguration : IEntityTypeConfiguration<Organization>
{
    public void Configure(EntityTypeBuilder<Organization> builder)
    {
        builder.ToTable("Organizations");
        builder.Property(o => o.Name).HasMaxLength(TextRules.MaxNameLength);
        builder.Property(o => o.DefaultTimeZone).HasMaxLength(64);
        builder.Property(o => o.CallerIdPolicy).HasConversion<string>().HasMaxLength(32);
    }
}
