using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DograhConsole.Core.Data.Migrations
{
    public partial class WorkflowSecrets : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ProtectedSecrets",
                table: "Workflows",
                type: "TEXT",
                nullable: false,
                defaultValue: "");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ProtectedSecrets",
                table: "Workflows");
        }
    }
}
