using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DograhConsole.Core.Calls;

public sealed class CallEventEntityConfiguration : IEntityTypeConfiguration<CallEvent>
{
    public void Configure(EntityTypeBuilder<CallEvent> builder)
    {
        builder.ToTable("CallEvents");
        builder.Property(v => v.Kind).HasConversion(v => CallStatuses.Name(v), v => CallStatuses.ParseKind(v)).HasMaxLength(16);
        builder.HasIndex(v => new { v.CallId, v.Id });
        builder.HasOne<Call>().WithMany().HasForeignKey(v => v.CallId).OnDelete(DeleteBehavior.Cascade);
    }
}
