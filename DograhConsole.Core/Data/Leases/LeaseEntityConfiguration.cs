using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DograhConsole.Core.Data.Leases;

public sealed class LeaseEntityConfiguration : IEntityTypeConfiguration<Lease>
{
    public void Configure(EntityTypeBuilder<Lease> builder)
    {
        builder.ToTable("Leases");
        // The name is the key: inserting a lease that exists fails on every engine, so only one host creates it.
        builder.HasKey(l => l.Name);
        builder.Property(l => l.Name).HasMaxLength(200);
        builder.Property(l => l.HolderId).HasMaxLength(200);
    }
}
