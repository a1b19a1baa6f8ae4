using DograhConsole.Core.Common;
using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DograhConsole.Core.Workflows.Prompts;

public sealed class PromptEntityConfiguration : IEntityTypeConfiguration<Prompt>
{
    public void Configure(EntityTypeBuilder<Prompt> builder)
    {
        builder.ToTable("Prompts");
        builder.Property(p => p.Name).HasMaxLength(TextRules.MaxNameLength);
        builder.HasIndex(p => new { p.OrganizationId, p.Name }).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(p => p.OrganizationId);
    }
}
