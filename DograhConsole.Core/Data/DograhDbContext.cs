using System.Linq.Expressions;
using DograhConsole.Core.Calls;
using DograhConsole.Core.Campaigns;
using DograhConsole.Core.Common;
using DograhConsole.Core.Telephony.Providers.Ari;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace DograhConsole.Core.Data;

/// <summary>
/// Every organization-owned set is filtered by <see cref="OrganizationId"/>. Contexts for a signed-in
/// caller come from <see cref="OrganizationDb"/>; contexts without an organization see no owned rows
/// unless the query says IgnoreQueryFilters (system work such as inbound routing and sign-in).
/// </summary>
public sealed class DograhDbContext(DbContextOptions<DograhDbContext> options) : DbContext(options)
{
    public Guid? OrganizationId { get; set; }

    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<AdminUser> Users => Set<AdminUser>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<TelephonyConfiguration> TelephonyConfigurations => Set<TelephonyConfiguration>();
    public DbSet<PhoneNumber> PhoneNumbers => Set<PhoneNumber>();
    public DbSet<Workflow> Workflows => Set<Workflow>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<Call> Calls => Set<Call>();
    public DbSet<CallEvent> CallEvents => Set<CallEvent>();
    public DbSet<Workflows.Prompts.Prompt> Prompts => Set<Workflows.Prompts.Prompt>();
    public DbSet<Campaign> Campaigns => Set<Campaign>();
    public DbSet<CampaignContact> CampaignContacts => Set<CampaignContact>();
    public DbSet<CampaignAttempt> CampaignAttempts => Set<CampaignAttempt>();
    public DbSet<CampaignActivity> CampaignActivities => Set<CampaignActivity>();
    public DbSet<AriCallLeg> AriCallLegs => Set<AriCallLeg>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.Entity<Organization>(e => e.Property(o => o.Name).HasMaxLength(TextRules.MaxNameLength));

        model.Entity<AdminUser>(e =>
        {
            e.HasIndex(u => u.NormalizedEmail).IsUnique();
            e.HasIndex(u => u.OrganizationId);
            e.HasOne<Organization>().WithMany().HasForeignKey(u => u.OrganizationId);
        });

        model.Entity<ApiKey>(e =>
        {
            e.HasIndex(k => k.KeyHash).IsUnique();
            e.HasOne<Organization>().WithMany().HasForeignKey(k => k.OrganizationId);
        });

        model.Entity<TelephonyConfiguration>(e =>
        {
            e.HasIndex(c => new { c.OrganizationId, c.Name }).IsUnique();
            e.HasIndex(c => new { c.Provider, c.AccountKey });
            e.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId);
            e.HasMany(c => c.PhoneNumbers).WithOne(n => n.TelephonyConfiguration!).HasForeignKey(n => n.TelephonyConfigurationId);
        });

        model.Entity<PhoneNumber>(e =>
        {
            e.HasIndex(n => n.NormalizedAddress).IsUnique();
            e.HasIndex(n => n.OrganizationId);
            e.HasOne(n => n.InboundWorkflow).WithMany().HasForeignKey(n => n.InboundWorkflowId).OnDelete(DeleteBehavior.Restrict);
        });

        model.Entity<Workflow>(e =>
        {
            e.HasIndex(w => new { w.OrganizationId, w.Name }).IsUnique();
            e.HasOne<Organization>().WithMany().HasForeignKey(w => w.OrganizationId);
        });

        model.Entity<AuditEntry>(e =>
        {
            e.HasIndex(a => new { a.OrganizationId, a.At });
        });

        model.Entity<Call>(e =>
        {
            e.Property(c => c.Status).HasConversion(v => CallStatuses.Name(v), v => CallStatuses.Parse(v)).HasMaxLength(16).IsConcurrencyToken();
            e.Property(c => c.Direction).HasConversion(v => CallStatuses.Name(v), v => CallStatuses.ParseDirection(v)).HasMaxLength(16);
            e.HasIndex(c => new { c.OrganizationId, c.CreatedAt });
            e.HasIndex(c => new { c.OrganizationId, c.Status });
            e.HasIndex(c => c.ProviderCallId);
            e.HasOne<Organization>().WithMany().HasForeignKey(c => c.OrganizationId);
        });

        model.Entity<CallEvent>(e =>
        {
            e.Property(v => v.Kind).HasConversion(v => CallStatuses.Name(v), v => CallStatuses.ParseKind(v)).HasMaxLength(16);
            e.HasIndex(v => new { v.CallId, v.Id });
            e.HasOne<Call>().WithMany().HasForeignKey(v => v.CallId).OnDelete(DeleteBehavior.Cascade);
        });

        model.Entity<Workflows.Prompts.Prompt>(e =>
        {
            e.Property(p => p.Name).HasMaxLength(TextRules.MaxNameLength);
            e.HasIndex(p => new { p.OrganizationId, p.Name }).IsUnique();
            e.HasOne<Organization>().WithMany().HasForeignKey(p => p.OrganizationId);
        });

        model.ConfigureCampaigns();

        model.Entity<AriCallLeg>(e =>
        {
            e.HasKey(l => new { l.ConfigurationId, l.ChannelId });
            e.Property(l => l.ChannelId).HasMaxLength(128);
            e.Property(l => l.BridgeId).HasMaxLength(128);
            e.Property(l => l.Role).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(l => l.CallId);
            e.HasIndex(l => l.ChannelId);
            e.HasOne<Call>().WithMany().HasForeignKey(l => l.CallId).OnDelete(DeleteBehavior.Cascade);
        });

        var utc = new ValueConverter<DateTime, DateTime>(v => v, v => UtcDateTime.AsUtc(v));
        var utcNullable = new ValueConverter<DateTime?, DateTime?>(v => v, v => v.HasValue ? UtcDateTime.AsUtc(v.Value) : v);
        foreach (var entity in model.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                if (property.ClrType == typeof(DateTime)) property.SetValueConverter(utc);
                else if (property.ClrType == typeof(DateTime?)) property.SetValueConverter(utcNullable);
            }
            if (typeof(IOrganizationOwned).IsAssignableFrom(entity.ClrType))
            {
                entity.SetQueryFilter(OrganizationFilter(entity.ClrType));
            }
        }
    }

    private LambdaExpression OrganizationFilter(Type type)
    {
        // e => e.OrganizationId == this.OrganizationId; EF turns the context member into a query parameter.
        var entity = Expression.Parameter(type, "e");
        var owner = Expression.Property(entity, nameof(IOrganizationOwned.OrganizationId));
        var current = Expression.Property(Expression.Constant(this), nameof(OrganizationId));
        return Expression.Lambda(Expression.Equal(Expression.Convert(owner, typeof(Guid?)), current), entity);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampOrganization();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampOrganization();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>New rows take the caller's organization; a caller can never write another organization's row.</summary>
    private void StampOrganization()
    {
        if (OrganizationId is not { } organizationId) return;
        foreach (var entry in ChangeTracker.Entries<IOrganizationOwned>())
        {
            if (entry.State == EntityState.Added && entry.Entity.OrganizationId == Guid.Empty)
            {
                entry.Entity.OrganizationId = organizationId;
            }
            else if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && entry.Entity.OrganizationId != organizationId)
            {
                throw new InvalidOperationException($"A {entry.Entity.GetType().Name} of another organization cannot be changed from this one.");
            }
        }
    }
}
