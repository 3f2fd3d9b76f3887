using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Vigil.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CatalogMetricsEndpoints : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<TimeSpan>(
                name: "MetricsInterval",
                table: "catalog_service_environments",
                type: "interval",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MetricsPath",
                table: "catalog_service_environments",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MetricsScheme",
                table: "catalog_service_environments",
                type: "character varying(8)",
                maxLength: 8,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MetricsTarget",
                table: "catalog_service_environments",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "MetricsInterval",
                table: "catalog_service_environments");

            migrationBuilder.DropColumn(
                name: "MetricsPath",
                table: "catalog_service_environments");

            migrationBuilder.DropColumn(
                name: "MetricsScheme",
                table: "catalog_service_environments");

            migrationBuilder.DropColumn(
                name: "MetricsTarget",
                table: "catalog_service_environments");
        }
    }
}
