using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DograhConsole.Core.Data.Migrations
{
    /// <summary>
    /// Quartz.NET kept the campaigns' timers in QRTZ_* tables of this database, created by Quartz itself at start-up.
    /// Hangfire keeps them now (hangfire.db beside it), so they go. The timers they held need no copy: the sweep starts
    /// a scheduled campaign once due and gives every running campaign its loop back, which sets its timers again.
    /// </summary>
    public partial class RemoveQuartz : Migration
    {
        // Triggers of each kind before the triggers, the triggers before the jobs they fire.
        private static readonly string[] Tables =
        [
            "QRTZ_BLOB_TRIGGERS", "QRTZ_CRON_TRIGGERS", "QRTZ_SIMPLE_TRIGGERS", "QRTZ_SIMPROP_TRIGGERS", "QRTZ_FIRED_TRIGGERS",
            "QRTZ_TRIGGERS", "QRTZ_JOB_DETAILS", "QRTZ_CALENDARS", "QRTZ_PAUSED_TRIGGER_GRPS", "QRTZ_PAUSED_JOB_GRPS",
            "QRTZ_SCHEDULER_STATE", "QRTZ_LOCKS", "QRTZ_JOB_STATUS", "QRTZ_EXECUTION_HISTORY", "QRTZ_MISFIRE_HISTORY",
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var table in Tables) migrationBuilder.Sql($"DROP TABLE IF EXISTS \"{table}\";");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Quartz created its tables itself when they were missing; a release on Quartz does so again.
        }
    }
}
