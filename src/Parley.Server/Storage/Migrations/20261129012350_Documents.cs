using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Parley.Server.Storage.Migrations
{
    /// <inheritdoc />
    public partial class Documents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "document_uploads",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Received = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_document_uploads", x => x.Id);
                    table.ForeignKey(
                        name: "FK_document_uploads_users_UserId",
                        column: x => x.UserId,
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "documents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RoomId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Title = table.Column<string>(type: "TEXT", nullable: false),
                    Label = table.Column<string>(type: "TEXT", nullable: false),
                    Restricted = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedBy = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DeclassifyOn = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    DestroyAfter = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    LatestVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    MarkingKey = table.Column<byte[]>(type: "BLOB", nullable: false),
                    NextCopyNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    DestroyedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DestroyedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    Certificate = table.Column<byte[]>(type: "BLOB", nullable: true),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_documents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_documents_rooms_RoomId",
                        column: x => x.RoomId,
                        principalTable: "rooms",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_documents_users_CreatedBy",
                        column: x => x.CreatedBy,
                        principalTable: "users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "document_prints",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DocumentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CopyNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    RecipientUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RecipientDeviceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Label = table.Column<string>(type: "TEXT", nullable: false),
                    PrintedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Record = table.Column<byte[]>(type: "BLOB", nullable: false),
                    RecordHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    DestroyedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    DestroyedBy = table.Column<Guid>(type: "TEXT", nullable: true),
                    DestructionNote = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_document_prints", x => x.Id);
                    table.ForeignKey(
                        name: "FK_document_prints_documents_DocumentId",
                        column: x => x.DocumentId,
                        principalTable: "documents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "document_reviews",
                columns: table => new
                {
                    DocumentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", nullable: false),
                    Date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    ListedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_document_reviews", x => new { x.DocumentId, x.Kind, x.Date });
                    table.ForeignKey(
                        name: "FK_document_reviews_documents_DocumentId",
                        column: x => x.DocumentId,
                        principalTable: "documents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "document_versions",
                columns: table => new
                {
                    DocumentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    VersionHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    SignedManifest = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Label = table.Column<string>(type: "TEXT", nullable: false),
                    MediaType = table.Column<string>(type: "TEXT", nullable: false),
                    ContentLength = table.Column<long>(type: "INTEGER", nullable: false),
                    CiphertextLength = table.Column<long>(type: "INTEGER", nullable: false),
                    AuthorUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AuthorDeviceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_document_versions", x => new { x.DocumentId, x.Version });
                    table.ForeignKey(
                        name: "FK_document_versions_documents_DocumentId",
                        column: x => x.DocumentId,
                        principalTable: "documents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "document_view_marks",
                columns: table => new
                {
                    DocumentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DeviceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FirstIssuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastIssuedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_document_view_marks", x => new { x.DocumentId, x.Version, x.UserId });
                    table.ForeignKey(
                        name: "FK_document_view_marks_documents_DocumentId",
                        column: x => x.DocumentId,
                        principalTable: "documents",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "document_endorsements",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DocumentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    VersionHash = table.Column<byte[]>(type: "BLOB", nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    Delegation = table.Column<string>(type: "TEXT", nullable: false),
                    SignerUserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    EndorsedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Signed = table.Column<byte[]>(type: "BLOB", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_document_endorsements", x => x.Id);
                    table.ForeignKey(
                        name: "FK_document_endorsements_document_versions_DocumentId_Version",
                        columns: x => new { x.DocumentId, x.Version },
                        principalTable: "document_versions",
                        principalColumns: new[] { "DocumentId", "Version" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "document_wraps",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DocumentId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    RecipientId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Epoch = table.Column<long>(type: "INTEGER", nullable: false),
                    Wrap = table.Column<byte[]>(type: "BLOB", nullable: false),
                    AddedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    AddedBy = table.Column<Guid>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_document_wraps", x => x.Id);
                    table.ForeignKey(
                        name: "FK_document_wraps_document_versions_DocumentId_Version",
                        columns: x => new { x.DocumentId, x.Version },
                        principalTable: "document_versions",
                        principalColumns: new[] { "DocumentId", "Version" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_document_endorsements_DocumentId_Version_Kind_SignerUserId",
                table: "document_endorsements",
                columns: new[] { "DocumentId", "Version", "Kind", "SignerUserId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_document_prints_DocumentId_CopyNumber",
                table: "document_prints",
                columns: new[] { "DocumentId", "CopyNumber" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_document_uploads_ExpiresAt",
                table: "document_uploads",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_document_uploads_UserId",
                table: "document_uploads",
                column: "UserId");

            migrationBuilder.CreateIndex(
                name: "IX_document_wraps_DocumentId_Version_Kind_RecipientId_Epoch",
                table: "document_wraps",
                columns: new[] { "DocumentId", "Version", "Kind", "RecipientId", "Epoch" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_document_wraps_RecipientId",
                table: "document_wraps",
                column: "RecipientId");

            migrationBuilder.CreateIndex(
                name: "IX_documents_CreatedBy",
                table: "documents",
                column: "CreatedBy");

            migrationBuilder.CreateIndex(
                name: "IX_documents_RoomId",
                table: "documents",
                column: "RoomId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "document_endorsements");

            migrationBuilder.DropTable(
                name: "document_prints");

            migrationBuilder.DropTable(
                name: "document_reviews");

            migrationBuilder.DropTable(
                name: "document_uploads");

            migrationBuilder.DropTable(
                name: "document_view_marks");

            migrationBuilder.DropTable(
                name: "document_wraps");

            migrationBuilder.DropTable(
                name: "document_versions");

            migrationBuilder.DropTable(
                name: "documents");
        }
    }
}
