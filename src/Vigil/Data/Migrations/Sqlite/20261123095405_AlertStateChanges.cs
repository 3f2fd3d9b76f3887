using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Vigil.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AlertStateChanges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "alert_state_changes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    GroupName = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    RuleName = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Fingerprint = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    LabelsJson = table.Column<string>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_alert_state_changes", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_alert_state_changes_At",
                table: "alert_state_changes",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_alert_state_changes_Fingerprint_At",
                table: "alert_state_changes",
                columns: new[] { "Fingerprint", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "alert_state_changes");
        }
    }
}
