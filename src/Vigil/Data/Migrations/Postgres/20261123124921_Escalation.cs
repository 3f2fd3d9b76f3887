using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Vigil.Data.Migrations.Postgres
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
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    UserId = table.Column<int>(type: "integer", nullable: false),
                    Type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ProtectedAddress = table.Column<string>(type: "text", nullable: false),
                    Label = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    Definition = table.Column<string>(type: "text", nullable: false),
                    Origin = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_oncall_escalation_policies", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "oncall_pages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Subject = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Key = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Policy = table.Column<string>(type: "character varying(63)", maxLength: 63, nullable: false),
                    PolicyDefinition = table.Column<string>(type: "text", nullable: false),
                    Title = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Body = table.Column<string>(type: "text", nullable: false),
                    Severity = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Service = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Link = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Level = table.Column<int>(type: "integer", nullable: false),
                    Cycle = table.Column<int>(type: "integer", nullable: false),
                    NextEscalationAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    AcknowledgedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    AcknowledgedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    ResolvedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ResolvedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_oncall_pages", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "oncall_user_feeds",
                columns: table => new
                {
                    UserId = table.Column<int>(type: "integer", nullable: false),
                    TokenHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
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
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    UserId = table.Column<int>(type: "integer", nullable: false),
                    ContactMethodId = table.Column<int>(type: "integer", nullable: false),
                    Delay = table.Column<TimeSpan>(type: "interval", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_oncall_notification_rules", x => x.Id);
                    table.ForeignKey(
                        name: "FK_oncall_notification_rules_oncall_contact_methods_ContactMet~",
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
