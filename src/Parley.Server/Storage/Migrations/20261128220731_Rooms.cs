using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Server.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Rooms : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "rooms",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    NormalizedName = table.Column<string>(type: "TEXT", nullable: false, collation: "NOCASE"),
                    Label = table.Column<string>(type: "TEXT", nullable: false),
                    Parties = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RetentionDays = table.Column<int>(type: "INTEGER", nullable: false),
                    LastSequence = table.Column<long>(type: "INTEGER", nullable: false),
                    Epoch = table.Column<long>(type: "INTEGER", nullable: false),
                    RosterHash = table.Column<byte[]>(type: "BLOB", nullable: true),
                    EpochSequence = table.Column<long>(type: "INTEGER", nullable: false),
                    EpochCreatorDevice = table.Column<Guid>(type: "TEXT", nullable: true),
                    EpochStartedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    MessagesInEpoch = table.Column<int>(type: "INTEGER", nullable: false),
                    Rekey = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_rooms", x => x.Id);
                    table.ForeignKey(
                        name: "FK_rooms_users_CreatedBy",
                        column: x => x.CreatedBy,
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "room_entries",
                columns: table => new
                {
                    RoomId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    ActorUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    DeviceId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Epoch = table.Column<long>(type: "INTEGER", nullable: true),
                    Payload = table.Column<byte[]>(type: "BLOB", nullable: true),
                    RosterHash = table.Column<byte[]>(type: "BLOB", nullable: true),
                    Counter = table.Column<long>(type: "INTEGER", nullable: true),
                    Label = table.Column<string>(type: "TEXT", nullable: true),
                    Size = table.Column<int>(type: "INTEGER", nullable: true),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: true),
                    SubjectUserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Party = table.Column<string>(type: "TEXT", nullable: true),
                    RetentionDays = table.Column<int>(type: "INTEGER", nullable: true),
                    ExpiredThrough = table.Column<long>(type: "INTEGER", nullable: true),
                    Reason = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_room_entries", x => new { x.RoomId, x.Sequence });
                    table.ForeignKey(
                        name: "FK_room_entries_rooms_RoomId",
                        column: x => x.RoomId,
                        principalTable: "rooms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "room_members",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RoomId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DelegationCode = table.Column<string>(type: "TEXT", nullable: false),
                    AddedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AddedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    FromSequence = table.Column<long>(type: "INTEGER", nullable: false),
                    RemovedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RemovedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    RemovalReason = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_room_members", x => x.Id);
                    table.ForeignKey(
                        name: "FK_room_members_rooms_RoomId",
                        column: x => x.RoomId,
                        principalTable: "rooms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_room_members_users_UserId",
                        column: x => x.UserId,
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "room_roster_devices",
                columns: table => new
                {
                    RoomId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DeviceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_room_roster_devices", x => new { x.RoomId, x.DeviceId });
                    table.ForeignKey(
                        name: "FK_room_roster_devices_rooms_RoomId",
                        column: x => x.RoomId,
                        principalTable: "rooms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "room_key_packages",
                columns: table => new
                {
                    RoomId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    RecipientDeviceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Package = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_room_key_packages", x => new { x.RoomId, x.Sequence, x.RecipientDeviceId });
                    table.ForeignKey(
                        name: "FK_room_key_packages_room_entries_RoomId_Sequence",
                        columns: x => new { x.RoomId, x.Sequence },
                        principalTable: "room_entries",
                        principalColumns: new[] { "RoomId", "Sequence" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_room_entries_Kind_At",
                table: "room_entries",
                columns: new[] { "Kind", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_room_entries_RoomId_Epoch_DeviceId_Counter",
                table: "room_entries",
                columns: new[] { "RoomId", "Epoch", "DeviceId", "Counter" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_room_members_RoomId_UserId",
                table: "room_members",
                columns: new[] { "RoomId", "UserId" });

            migrationBuilder.CreateIndex(
                name: "IX_room_members_UserId",
                table: "room_members",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_room_roster_devices_DeviceId",
                table: "room_roster_devices",
                column: "DeviceId");

            migrationBuilder.CreateIndex(
                name: "IX_rooms_CreatedBy",
                table: "rooms",
                column: "CreatedBy");

            migrationBuilder.CreateIndex(
                name: "IX_rooms_NormalizedName",
                table: "rooms",
                column: "NormalizedName",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "room_key_packages");

            migrationBuilder.DropTable(
                name: "room_members");

            migrationBuilder.DropTable(
                name: "room_roster_devices");

            migrationBuilder.DropTable(
                name: "room_entries");

            migrationBuilder.DropTable(
                name: "rooms");
        }
    }
}
