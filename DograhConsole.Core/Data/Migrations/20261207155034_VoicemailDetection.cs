using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DograhConsole.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class VoicemailDetection : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AnsweredBy",
                table: "Calls",
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AnsweredByDetail",
                table: "Calls",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "DetectionMilliseconds",
                table: "Calls",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "VoicemailDetection",
                table: "Calls",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "off");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AnsweredBy",
                table: "Calls");

            migrationBuilder.DropColumn(
                name: "AnsweredByDetail",
                table: "Calls");

            migrationBuilder.DropColumn(
                name: "DetectionMilliseconds",
                table: "Calls");

            migrationBuilder.DropColumn(
                name: "VoicemailDetection",
                table: "Calls");
        }
    }
}
