using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Vigil.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "catalog_services",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Description = table.Column<string>(type: "text", nullable: true),
                    Tier = table.Column<int>(type: "integer", nullable: true),
                    Owner = table.Column<string>(type: "text", nullable: true),
                    RepositoryUrl = table.Column<string>(type: "text", nullable: true),
                    DashboardUrl = table.Column<string>(type: "text", nullable: true),
                    RunbookUrl = table.Column<string>(type: "text", nullable: true),
                    Tags = table.Column<List<string>>(type: "text[]", nullable: false),
                    Origin = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_catalog_services", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "catalog_service_contacts",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Role = table.Column<string>(type: "text", nullable: true),
                    Email = table.Column<string>(type: "text", nullable: true),
                    Phone = table.Column<string>(type: "text", nullable: true),
                    ServiceId = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_catalog_service_contacts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_catalog_service_contacts_catalog_services_ServiceId",
                        column: x => x.ServiceId,
                        principalTable: "catalog_services",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "catalog_service_dependencies",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Target = table.Column<string>(type: "text", nullable: false),
                    Critical = table.Column<bool>(type: "boolean", nullable: false),
                    Description = table.Column<string>(type: "text", nullable: true),
                    ServiceId = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_catalog_service_dependencies", x => x.Id);
                    table.ForeignKey(
                        name: "FK_catalog_service_dependencies_catalog_services_ServiceId",
                        column: x => x.ServiceId,
                        principalTable: "catalog_services",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "catalog_service_environments",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    Name = table.Column<string>(type: "text", nullable: false),
                    Url = table.Column<string>(type: "text", nullable: true),
                    ServiceId = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_catalog_service_environments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_catalog_service_environments_catalog_services_ServiceId",
                        column: x => x.ServiceId,
                        principalTable: "catalog_services",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_catalog_service_contacts_ServiceId",
                table: "catalog_service_contacts",
                column: "ServiceId");

            migrationBuilder.CreateIndex(
                name: "IX_catalog_service_dependencies_ServiceId",
                table: "catalog_service_dependencies",
                column: "ServiceId");

            migrationBuilder.CreateIndex(
                name: "IX_catalog_service_dependencies_Target",
                table: "catalog_service_dependencies",
                column: "Target");

            migrationBuilder.CreateIndex(
                name: "IX_catalog_service_environments_Name",
                table: "catalog_service_environments",
                column: "Name");

            migrationBuilder.CreateIndex(
                name: "IX_catalog_service_environments_ServiceId",
                table: "catalog_service_environments",
                column: "ServiceId");

            migrationBuilder.CreateIndex(
                name: "IX_catalog_services_Name",
                table: "catalog_services",
                column: "Name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "catalog_service_contacts");

            migrationBuilder.DropTable(
                name: "catalog_service_dependencies");

            migrationBuilder.DropTable(
                name: "catalog_service_environments");

            migrationBuilder.DropTable(
                name: "catalog_services");
        }
    }
}
