using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DograhConsole.Core.Data.Migrations
{
    /// <summary>AdminUser.SecurityStamp: sessions carry it and end when it changes (sign-out, password change).</summary>
    public partial class SecurityStamp : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SecurityStamp",
                table: "Users",
                type: "TEXT",
                nullable: false,
                defaultValue: "");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SecurityStamp",
                table: "Users");
        }
    }
}
