using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Server.Storage.Migrations
{
    /// <inheritdoc />
    public partial class LedgerSubjects : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Subject",
                table: "ledger_queue",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_ledger_queue_Subject",
                table: "ledger_queue",
                column: "Subject");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ledger_queue_Subject",
                table: "ledger_queue");

            migrationBuilder.DropColumn(
                name: "Subject",
                table: "ledger_queue");
        }
    }
}
