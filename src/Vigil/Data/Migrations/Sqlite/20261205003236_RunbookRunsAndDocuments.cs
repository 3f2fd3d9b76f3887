using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Vigil.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RunbookRunsAndDocuments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "documents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Owner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Service = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Reminders = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_documents", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "runbook_runs",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Runbook = table.Column<string>(type: "TEXT", maxLength: 63, nullable: false),
                    RunbookVersion = table.Column<int>(type: "INTEGER", nullable: true),
                    Title = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Risk = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Markdown = table.Column<string>(type: "TEXT", nullable: false),
                    IncidentId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    AlertFingerprint = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    StartedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Note = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_runbook_runs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "runbook_run_steps",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RunId = table.Column<int>(type: "INTEGER", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    ExpectedResult = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    ActionKind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    ActionTarget = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    ActionMethod = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    DoneBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    DoneAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Execution = table.Column<string>(type: "TEXT", maxLength: 24, nullable: true),
                    RequestedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    RequestedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ApprovedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ApprovedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ExitCode = table.Column<int>(type: "INTEGER", nullable: true),
                    Output = table.Column<string>(type: "TEXT", nullable: true),
                    ExecutedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_runbook_run_steps", x => x.Id);
                    table.ForeignKey(
                        name: "FK_runbook_run_steps_runbook_runs_RunId",
                        column: x => x.RunId,
                        principalTable: "runbook_runs",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_documents_Name",
                table: "documents",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_runbook_run_steps_RunId_Number",
                table: "runbook_run_steps",
                columns: new[] { "RunId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_runbook_runs_IncidentId",
                table: "runbook_runs",
                column: "IncidentId");

            migrationBuilder.CreateIndex(
                name: "IX_runbook_runs_Runbook",
                table: "runbook_runs",
                column: "Runbook");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "documents");

            migrationBuilder.DropTable(
                name: "runbook_run_steps");

            migrationBuilder.DropTable(
                name: "runbook_runs");
        }
    }
}
