using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Server.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Ledger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "Idx",
                table: "ledger_queue",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "LeafHash",
                table: "ledger_queue",
                type: "BLOB",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ledger_checkpoints",
                columns: table => new
                {
                    Size = table.Column<long>(type: "INTEGER", nullable: false),
                    Note = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ledger_checkpoints", x => x.Size);
                });

            migrationBuilder.CreateTable(
                name: "ledger_tiles",
                columns: table => new
                {
                    Level = table.Column<int>(type: "INTEGER", nullable: false),
                    TileIndex = table.Column<long>(type: "INTEGER", nullable: false),
                    Data = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ledger_tiles", x => new { x.Level, x.TileIndex });
                });

            migrationBuilder.CreateTable(
                name: "web_client_bundles",
                columns: table => new
                {
                    Hash = table.Column<string>(type: "TEXT", nullable: false),
                    RecordedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_web_client_bundles", x => x.Hash);
                });

            migrationBuilder.CreateTable(
                name: "witnesses",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Delegation = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    VerifierKey = table.Column<string>(type: "TEXT", nullable: false),
                    KeyName = table.Column<string>(type: "TEXT", nullable: false),
                    KeyId = table.Column<long>(type: "INTEGER", nullable: false),
                    RegisteredAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_witnesses", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ledger_cosignatures",
                columns: table => new
                {
                    CheckpointSize = table.Column<long>(type: "INTEGER", nullable: false),
                    WitnessId = table.Column<long>(type: "INTEGER", nullable: false),
                    Timestamp = table.Column<long>(type: "INTEGER", nullable: false),
                    Line = table.Column<string>(type: "TEXT", nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ledger_cosignatures", x => new { x.CheckpointSize, x.WitnessId });
                    table.ForeignKey(
                        name: "FK_ledger_cosignatures_witnesses_WitnessId",
                        column: x => x.WitnessId,
                        principalTable: "witnesses",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ledger_queue_Idx",
                table: "ledger_queue",
                column: "Idx",
                unique: true,
                filter: "Idx IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_ledger_queue_LeafHash",
                table: "ledger_queue",
                column: "LeafHash");

            migrationBuilder.CreateIndex(
                name: "IX_ledger_queue_pending",
                table: "ledger_queue",
                column: "Id",
                filter: "Idx IS NULL");

            migrationBuilder.CreateIndex(
                name: "IX_ledger_cosignatures_WitnessId",
                table: "ledger_cosignatures",
                column: "WitnessId");

            migrationBuilder.CreateIndex(
                name: "IX_witnesses_KeyName_KeyId",
                table: "witnesses",
                columns: new[] { "KeyName", "KeyId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ledger_checkpoints");

            migrationBuilder.DropTable(
                name: "ledger_cosignatures");

            migrationBuilder.DropTable(
                name: "ledger_tiles");

            migrationBuilder.DropTable(
                name: "web_client_bundles");

            migrationBuilder.DropTable(
                name: "witnesses");

            migrationBuilder.DropIndex(
                name: "IX_ledger_queue_Idx",
                table: "ledger_queue");

            migrationBuilder.DropIndex(
                name: "IX_ledger_queue_LeafHash",
                table: "ledger_queue");

            migrationBuilder.DropIndex(
                name: "IX_ledger_queue_pending",
                table: "ledger_queue");

            migrationBuilder.DropColumn(
                name: "Idx",
                table: "ledger_queue");

            migrationBuilder.DropColumn(
                name: "LeafHash",
                table: "ledger_queue");
        }
    }
}
