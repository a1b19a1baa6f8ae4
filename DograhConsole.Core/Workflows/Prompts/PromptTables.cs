using DograhConsole.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace DograhConsole.Core.Workflows.Prompts;

/// <summary>This folder's tables on <see cref="DograhDbContext"/> (inside a query's expression tree, use <c>db.Set&lt;T&gt;()</c>).</summary>
public static class PromptTables
{
    extension(DograhDbContext db)
    {
        public DbSet<Prompt> Prompts => db.Set<Prompt>();
    }
}
