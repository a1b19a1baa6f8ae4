using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DograhConsole.Core.Data.Migrations
{
    public partial class Ari : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AriCallLegs",
                columns: table => new
                {
                    ChannelId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ConfigurationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CallId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Role = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    BridgeId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    InStasis = table.Column<bool>(type: "INTEGER", nullable: false),
                    Bridged = table.Column<bool>(type: "INTEGER", nullable: false),
                    Destination = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AriCallLegs", x => new { x.ConfigurationId, x.ChannelId });
                    table.ForeignKey(
                        name: "FK_AriCallLegs_Calls_CallId",
                        column: x => x.CallId,
                        principalTable: "Calls",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AriCallLegs_CallId",
                table: "AriCallLegs",
                column: "CallId");

            migrationBuilder.CreateIndex(
                name: "IX_AriCallLegs_ChannelId",
                table: "AriCallLegs",
                column: "ChannelId");
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AriCallLegs");
        }
    }
}
