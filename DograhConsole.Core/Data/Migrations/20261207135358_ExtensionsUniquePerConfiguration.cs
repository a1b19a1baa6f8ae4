using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DograhConsole.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class ExtensionsUniquePerConfiguration : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PhoneNumbers_NormalizedAddress",
                table: "PhoneNumbers");

            migrationBuilder.AddColumn<string>(
                name: "UniqueWithin",
                table: "PhoneNumbers",
                type: "TEXT",
                maxLength: 36,
                nullable: false,
                defaultValue: "");

            // Extensions (AddressType 3) become unique within their configuration; EF stores Guids as upper-case text.
            migrationBuilder.Sql("UPDATE PhoneNumbers SET UniqueWithin = lower(TelephonyConfigurationId) WHERE AddressType = 3;");

            migrationBuilder.CreateIndex(
                name: "IX_PhoneNumbers_UniqueWithin_NormalizedAddress",
                table: "PhoneNumbers",
                columns: new[] { "UniqueWithin", "NormalizedAddress" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PhoneNumbers_UniqueWithin_NormalizedAddress",
                table: "PhoneNumbers");

            migrationBuilder.DropColumn(
                name: "UniqueWithin",
                table: "PhoneNumbers");

            migrationBuilder.CreateIndex(
                name: "IX_PhoneNumbers_NormalizedAddress",
                table: "PhoneNumbers",
                column: "NormalizedAddress",
                unique: true);
        }
    }
}
