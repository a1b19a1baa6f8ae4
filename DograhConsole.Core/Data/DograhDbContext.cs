using System.Linq.Expressions;
using DograhConsole.Core.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace DograhConsole.Core.Data;

/// <summary>
/// Every organization-owned set is filtered by <see cref="OrganizationId"/>. Contexts for a signed-in
/// caller come from <see cref="OrganizationDb"/>; contexts without an organization see no owned rows
/// unless the query says IgnoreQueryFilters (system work such as inbound routing and sign-in).
/// On PostgreSQL the same model runs as <see cref="PostgresDograhDbContext"/>, which only names its own migrations.
/// </summary>
public class DograhDbContext(DbContextOptions<DograhDbContext> options) : DbContext(options)
{
    public Guid? OrganizationId { get; set; }

    public DbSet<Organization> Organizations => Set<Organization>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // Each feature folder configures its own entities (an IEntityTypeConfiguration per entity).
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(DograhDbContext).Assembly);

        // Written as UTC too: SQLite stores the clock time whatever the kind, PostgreSQL's timestamptz refuses any kind but UTC.
        var utc = new ValueConverter<DateTime, DateTime>(v => UtcDateTime.AsUtc(v), v => UtcDateTime.AsUtc(v));
        var utcNullable = new ValueConverter<DateTime?, DateTime?>(v => v.HasValue ? UtcDateTime.AsUtc(v.Value) : v, v => v.HasValue ? UtcDateTime.AsUtc(v.Value) : v);
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
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
