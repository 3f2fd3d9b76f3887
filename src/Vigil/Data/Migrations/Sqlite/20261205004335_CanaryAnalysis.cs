using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Vigil.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CanaryAnalysis : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "deployment_canary_runs",
                columns: table => new
                {
                    DeploymentId = table.Column<int>(type: "INTEGER", nullable: false),
                    StepIndex = table.Column<int>(type: "INTEGER", nullable: false),
                    StepStartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    WatchEndsAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ReportsJson = table.Column<string>(type: "TEXT", nullable: false),
                    FailureReason = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    FailedStep = table.Column<int>(type: "INTEGER", nullable: true),
                    RollbackPending = table.Column<bool>(type: "INTEGER", nullable: false),
                    RollbackAttempts = table.Column<int>(type: "INTEGER", nullable: false),
                    RollbackNextAttemptAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RollbackSentAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RollbackError = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    AlertPending = table.Column<bool>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_deployment_canary_runs", x => x.DeploymentId);
                    table.ForeignKey(
                        name: "FK_deployment_canary_runs_deployments_DeploymentId",
                        column: x => x.DeploymentId,
                        principalTable: "deployments",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "deployment_canary_runs");
        }
    }
}
