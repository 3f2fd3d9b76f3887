using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Vigil.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Monitors : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "monitors_monitors",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    Service = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    Environment = table.Column<string>(type: "TEXT", maxLength: 63, nullable: true),
                    Type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Origin = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Paused = table.Column<bool>(type: "INTEGER", nullable: false),
                    Token = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    DefinitionJson = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    LastSuccessPing = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    LastStartPing = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    LastFailPing = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    LastPingBody = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_monitors_monitors", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "monitors_state_changes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Monitor = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_monitors_state_changes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "monitors_vigil_runs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeenAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_monitors_vigil_runs", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_monitors_monitors_Name",
                table: "monitors_monitors",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_monitors_monitors_Service",
                table: "monitors_monitors",
                column: "Service");

            migrationBuilder.CreateIndex(
                name: "IX_monitors_monitors_Token",
                table: "monitors_monitors",
                column: "Token",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_monitors_state_changes_Monitor_At",
                table: "monitors_state_changes",
                columns: new[] { "Monitor", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_monitors_vigil_runs_StartedAt",
                table: "monitors_vigil_runs",
                column: "StartedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "monitors_monitors");

            migrationBuilder.DropTable(
                name: "monitors_state_changes");

            migrationBuilder.DropTable(
                name: "monitors_vigil_runs");
        }
    }
}
