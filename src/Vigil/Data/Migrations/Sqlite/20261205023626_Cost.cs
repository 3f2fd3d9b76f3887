using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Vigil.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Cost : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "cost_imports",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Source = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Format = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    PeriodStart = table.Column<long>(type: "INTEGER", nullable: false),
                    PeriodEnd = table.Column<long>(type: "INTEGER", nullable: false),
                    Lines = table.Column<int>(type: "INTEGER", nullable: false),
                    Total = table.Column<decimal>(type: "TEXT", precision: 18, scale: 6, nullable: false),
                    ImportedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ImportedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cost_imports", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "cost_lines",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ImportId = table.Column<long>(type: "INTEGER", nullable: false),
                    FileLine = table.Column<int>(type: "INTEGER", nullable: false),
                    ChargePeriodStart = table.Column<long>(type: "INTEGER", nullable: false),
                    ChargePeriodEnd = table.Column<long>(type: "INTEGER", nullable: false),
                    BilledCost = table.Column<decimal>(type: "TEXT", precision: 18, scale: 6, nullable: false),
                    BillingCurrency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    ProviderName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ServiceName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ServiceCategory = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ResourceId = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    ResourceName = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    RegionName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    SubAccountName = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    ChargeCategory = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Tags = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cost_lines", x => x.Id);
                    table.ForeignKey(
                        name: "FK_cost_lines_cost_imports_ImportId",
                        column: x => x.ImportId,
                        principalTable: "cost_imports",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_cost_imports_Source_PeriodStart",
                table: "cost_imports",
                columns: new[] { "Source", "PeriodStart" });

            migrationBuilder.CreateIndex(
                name: "IX_cost_lines_ChargePeriodStart_ChargePeriodEnd",
                table: "cost_lines",
                columns: new[] { "ChargePeriodStart", "ChargePeriodEnd" });

            migrationBuilder.CreateIndex(
                name: "IX_cost_lines_ImportId",
                table: "cost_lines",
                column: "ImportId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "cost_lines");

            migrationBuilder.DropTable(
                name: "cost_imports");
        }
    }
}
