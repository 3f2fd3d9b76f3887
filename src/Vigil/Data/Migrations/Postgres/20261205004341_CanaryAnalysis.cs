using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Vigil.Data.Migrations.Postgres
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
                    DeploymentId = table.Column<int>(type: "integer", nullable: false),
                    StepIndex = table.Column<int>(type: "integer", nullable: false),
                    StepStartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    WatchEndsAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ReportsJson = table.Column<string>(type: "text", nullable: false),
                    FailureReason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    FailedStep = table.Column<int>(type: "integer", nullable: true),
                    RollbackPending = table.Column<bool>(type: "boolean", nullable: false),
                    RollbackAttempts = table.Column<int>(type: "integer", nullable: false),
                    RollbackNextAttemptAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RollbackSentAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    RollbackError = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    AlertPending = table.Column<bool>(type: "boolean", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
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
