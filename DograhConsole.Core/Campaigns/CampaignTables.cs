using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Campaigns;

/// <summary>This folder's tables on <see cref="DograhDbContext"/> (inside a query's expression tree, use <c>db.Set&lt;T&gt;()</c>).</summary>
public static class CampaignTables
{
    extension(DograhDbContext db)
    {
        public DbSet<Campaign> Campaigns => db.Set<Campaign>();
        public DbSet<CampaignContact> CampaignContacts => db.Set<CampaignContact>();
        public DbSet<CampaignAttempt> CampaignAttempts => db.Set<CampaignAttempt>();
        public DbSet<CampaignActivity> CampaignActivities => db.Set<CampaignActivity>();
    }
}
