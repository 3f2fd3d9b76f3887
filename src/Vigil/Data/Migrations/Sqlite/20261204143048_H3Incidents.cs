using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Vigil.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class H3Incidents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PublicTitle",
                table: "incidents",
                type: "TEXT",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Type",
                table: "incidents",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "incident");

            migrationBuilder.AddColumn<string>(
                name: "Visibility",
                table: "incidents",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "private");

            migrationBuilder.AddColumn<string>(
                name: "PublicText",
                table: "incident_updates",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "PublicTitle",
                table: "incidents");

            migrationBuilder.DropColumn(
                name: "Type",
                table: "incidents");

            migrationBuilder.DropColumn(
                name: "Visibility",
                table: "incidents");

            migrationBuilder.DropColumn(
                name: "PublicText",
                table: "incident_updates");
        }
    }
}
