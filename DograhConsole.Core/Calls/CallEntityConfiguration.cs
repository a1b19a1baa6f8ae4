using DograhConsole.Core.Data;
using DograhConsole.Core.Telephony;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace DograhConsole.Core.Calls;

public sealed class CallEntityConfiguration : IEntityTypeConfiguration<Call>
{
    public void Configure(EntityTypeBuilder<Call> builder)
    {
        builder.ToTable("Calls");
        builder.Property(c => c.Status).HasConversion(v => CallStatuses.Name(v), v => CallStatuses.Parse(v)).HasMaxLength(16).IsConcurrencyToken();
        builder.Property(c => c.Direction).HasConversion(v => CallStatuses.Name(v), v => CallStatuses.ParseDirection(v)).HasMaxLength(16);
        builder.Property(c => c.VoicemailDetection).HasConversion(v => VoicemailDetections.Name(v), v => VoicemailDetections.Parse(v)).HasMaxLength(16);
        builder.Property(c => c.AnsweredBy)
            .HasConversion(new ValueConverter<AnsweredBy, string>(v => MachineDetectionResult.Name(v), v => MachineDetectionResult.Parse(v))).HasMaxLength(16);
        builder.Property(c => c.AnsweredByDetail).HasMaxLength(64);
        builder.HasIndex(c => new { c.OrganizationId, c.CreatedAt });
        builder.HasIndex(c => new { c.OrganizationId, c.Status });
        builder.HasIndex(c => c.ProviderCallId);
        builder.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId);
    }
}
