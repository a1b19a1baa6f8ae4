using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DograhConsole.Core.Workflows;

public sealed class WorkflowEntityConfiguration : IEntityTypeConfiguration<Workflow>
{
    public void Configure(EntityTypeBuilder<Workflow> builder)
    {
        builder.ToTable("Workflows");
        builder.HasIndex(w => new { w.OrganizationId, w.Name }).IsUnique();
        builder.HasOne<Organization>().WithMany().HasForeignKey(w => w.OrganizationId);
    }
}
