using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Vigil.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Escalation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "oncall_contact_methods",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserId = table.Column<int>(type: "INTEGER", nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ProtectedAddress = table.Column<string>(type: "TEXT", nullable: false),
                    Label = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_oncall_contact_methods", x => x.Id);
                    table.ForeignKey(
                        name: "FK_oncall_contact_methods_access_users_UserId",
                        column: x => x.UserId,
                        principalTable: "access_users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "oncall_escalation_policies",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    Definition = table.Column<string>(type: "TEXT", nullable: false),
                    Origin = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_oncall_escalation_policies", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "oncall_pages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Policy = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    PolicyDefinition = table.Column<string>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Body = table.Column<string>(type: "TEXT", nullable: false),
                    Severity = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Service = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Link = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Level = table.Column<int>(type: "INTEGER", nullable: false),
                    Cycle = table.Column<int>(type: "INTEGER", nullable: false),
                    NextEscalationAt = table.Column<long>(type: "INTEGER", nullable: true),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AcknowledgedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AcknowledgedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ResolvedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ResolvedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_oncall_pages", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "oncall_user_feeds",
                columns: table => new
                {
                    UserId = table.Column<int>(type: "INTEGER", nullable: false),
                    TokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_oncall_user_feeds", x => x.UserId);
                    table.ForeignKey(
                        name: "FK_oncall_user_feeds_access_users_UserId",
                        column: x => x.UserId,
                        principalTable: "access_users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "oncall_notification_rules",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UserId = table.Column<int>(type: "INTEGER", nullable: false),
                    ContactMethodId = table.Column<int>(type: "INTEGER", nullable: false),
                    Delay = table.Column<TimeSpan>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_oncall_notification_rules", x => x.Id);
                    table.ForeignKey(
                        name: "FK_oncall_notification_rules_oncall_contact_methods_ContactMethodId",
                        column: x => x.ContactMethodId,
                        principalTable: "oncall_contact_methods",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_oncall_contact_methods_UserId",
                table: "oncall_contact_methods",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_oncall_escalation_policies_Name",
                table: "oncall_escalation_policies",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_oncall_notification_rules_ContactMethodId",
                table: "oncall_notification_rules",
                column: "ContactMethodId");

            migrationBuilder.CreateIndex(
                name: "IX_oncall_notification_rules_UserId",
                table: "oncall_notification_rules",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_oncall_pages_Key",
                table: "oncall_pages",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_oncall_pages_NextEscalationAt",
                table: "oncall_pages",
                column: "NextEscalationAt");

            migrationBuilder.CreateIndex(
                name: "IX_oncall_pages_Subject_Status",
                table: "oncall_pages",
                columns: new[] { "Subject", "Status" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "oncall_escalation_policies");

            migrationBuilder.DropTable(
                name: "oncall_notification_rules");

            migrationBuilder.DropTable(
                name: "oncall_pages");

            migrationBuilder.DropTable(
                name: "oncall_user_feeds");

            migrationBuilder.DropTable(
                name: "oncall_contact_methods");
        }
    }
}
