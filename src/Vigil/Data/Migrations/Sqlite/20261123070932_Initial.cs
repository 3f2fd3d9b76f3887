using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Vigil.Data.Migrations.Sqlite
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
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    Description = table.Column<string>(type: "TEXT", nullable: true),
                    Tier = table.Column<int>(type: "INTEGER", nullable: true),
                    Owner = table.Column<string>(type: "TEXT", nullable: true),
                    RepositoryUrl = table.Column<string>(type: "TEXT", nullable: true),
                    DashboardUrl = table.Column<string>(type: "TEXT", nullable: true),
                    RunbookUrl = table.Column<string>(type: "TEXT", nullable: true),
                    Tags = table.Column<string>(type: "TEXT", nullable: false),
                    Origin = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_catalog_services", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "catalog_service_contacts",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Role = table.Column<string>(type: "TEXT", nullable: true),
                    Email = table.Column<string>(type: "TEXT", nullable: true),
                    Phone = table.Column<string>(type: "TEXT", nullable: true),
                    ServiceId = table.Column<int>(type: "INTEGER", nullable: false)
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
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Target = table.Column<string>(type: "TEXT", nullable: false),
                    Critical = table.Column<bool>(type: "INTEGER", nullable: false),
                    Description = table.Column<string>(type: "TEXT", nullable: true),
                    ServiceId = table.Column<int>(type: "INTEGER", nullable: false)
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
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Url = table.Column<string>(type: "TEXT", nullable: true),
                    ServiceId = table.Column<int>(type: "INTEGER", nullable: false)
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
