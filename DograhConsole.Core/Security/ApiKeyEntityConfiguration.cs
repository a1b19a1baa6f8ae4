using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DograhConsole.Core.Security;

public sealed class ApiKeyEntityConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("ApiKeys");
        builder.HasIndex(k => k.KeyHash).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(k => k.OrganizationId);
    }
}
