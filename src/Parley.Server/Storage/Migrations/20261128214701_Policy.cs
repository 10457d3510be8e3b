using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Server.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Policy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "BindingChallenge",
                table: "sessions",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "BindingChallengeExpiresAt",
                table: "sessions",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "DeviceBoundAt",
                table: "sessions",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "DeviceId",
                table: "sessions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "access_grants",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DelegationCode = table.Column<string>(type: "TEXT", nullable: false),
                    Resource = table.Column<string>(type: "TEXT", nullable: false),
                    StartsAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", nullable: true),
                    GrantedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    GrantedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedBy = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_access_grants", x => x.Id);
                    table.ForeignKey(
                        name: "FK_access_grants_users_UserId",
                        column: x => x.UserId,
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "downgrades",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Resource = table.Column<string>(type: "TEXT", nullable: false),
                    FromLabel = table.Column<string>(type: "TEXT", nullable: false),
                    ToLabel = table.Column<string>(type: "TEXT", nullable: false),
                    ItemHash = table.Column<string>(type: "TEXT", nullable: true),
                    Justification = table.Column<string>(type: "TEXT", nullable: false),
                    DelegationCode = table.Column<string>(type: "TEXT", nullable: false),
                    AuthorizedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    AuthorizedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_downgrades", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "training_records",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DelegationCode = table.Column<string>(type: "TEXT", nullable: false),
                    Course = table.Column<string>(type: "TEXT", nullable: false),
                    CompletedOn = table.Column<long>(type: "INTEGER", nullable: false),
                    ValidUntil = table.Column<long>(type: "INTEGER", nullable: false),
                    RecordedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_training_records", x => x.Id);
                    table.ForeignKey(
                        name: "FK_training_records_users_UserId",
                        column: x => x.UserId,
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_access_grants_DelegationCode",
                table: "access_grants",
                column: "DelegationCode");

            migrationBuilder.CreateIndex(
                name: "IX_access_grants_UserId_Resource",
                table: "access_grants",
                columns: new[] { "UserId", "Resource" });

            migrationBuilder.CreateIndex(
                name: "IX_downgrades_DelegationCode",
                table: "downgrades",
                column: "DelegationCode");

            migrationBuilder.CreateIndex(
                name: "IX_downgrades_Resource",
                table: "downgrades",
                column: "Resource");

            migrationBuilder.CreateIndex(
                name: "IX_training_records_DelegationCode",
                table: "training_records",
                column: "DelegationCode");

            migrationBuilder.CreateIndex(
                name: "IX_training_records_UserId",
                table: "training_records",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "access_grants");

            migrationBuilder.DropTable(
                name: "downgrades");

            migrationBuilder.DropTable(
                name: "training_records");

            migrationBuilder.DropColumn(
                name: "BindingChallenge",
                table: "sessions");

            migrationBuilder.DropColumn(
                name: "BindingChallengeExpiresAt",
                table: "sessions");

            migrationBuilder.DropColumn(
                name: "DeviceBoundAt",
                table: "sessions");

            migrationBuilder.DropColumn(
                name: "DeviceId",
                table: "sessions");
        }
    }
}
