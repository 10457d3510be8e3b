using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Parley.Server.Identity.Model;

/// <summary>Tables, keys and indexes of identity.</summary>
public static class IdentityModel
{
    // SQLite cannot compare or order DateTimeOffset stored as text; Unix milliseconds sort and compare as numbers.
    private static readonly ValueConverter<DateTimeOffset, long> Instant =
        new(v => v.ToUnixTimeMilliseconds(), v => DateTimeOffset.FromUnixTimeMilliseconds(v));
    private static readonly ValueConverter<DateTimeOffset?, long?> OptionalInstant =
        new(v => v.HasValue ? v.Value.ToUnixTimeMilliseconds() : null, v => v.HasValue ? DateTimeOffset.FromUnixTimeMilliseconds(v.Value) : null);

    /// <summary>Adds the identity entities to the model.</summary>
    public static void Configure(ModelBuilder model)
    {
        model.Entity<DelegationRecord>(e =>
        {
            e.ToTable("delegations");
            e.HasKey(x => x.Code);
            e.Property(x => x.Code).HasMaxLength(8);
        });
        model.Entity<UserAccount>(e =>
        {
            e.ToTable("users");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.NormalizedEmail).IsUnique();
            e.Property(x => x.NormalizedEmail).UseCollation("NOCASE");
            e.HasIndex(x => x.DelegationCode);
            e.HasOne<DelegationRecord>().WithMany().HasForeignKey(x => x.DelegationCode).OnDelete(DeleteBehavior.Restrict);
            // Two requests racing with the same TOTP code: the second save finds the step changed and fails, so a code is used once.
            e.Property(x => x.TotpLastStep).IsConcurrencyToken();
        });
        model.Entity<UnknownAccountLockout>(e =>
        {
            e.ToTable("unknown_account_lockouts");
            e.HasKey(x => x.EmailHmac);
        });
        model.Entity<SecurityKeyCredential>(e =>
        {
            e.ToTable("security_keys");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.CredentialId).IsUnique();
            e.HasIndex(x => x.UserId);
            e.HasOne<UserAccount>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<RecoveryCodeRecord>(e =>
        {
            e.ToTable("recovery_codes");
            e.HasKey(x => x.Id);
            e.HasIndex(x => x.UserId);
            e.HasOne<UserAccount>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<EnrollmentRecord>(e =>
        {
            e.ToTable("enrollments");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.TokenHash).IsUnique();
            e.HasIndex(x => x.DelegationCode);
            e.HasOne<DelegationRecord>().WithMany().HasForeignKey(x => x.DelegationCode).OnDelete(DeleteBehavior.Restrict);
        });
        model.Entity<SessionRecord>(e =>
        {
            e.ToTable("sessions");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.TokenHash).IsUnique();
            e.HasIndex(x => x.UserId);
            e.HasOne<UserAccount>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<WebAuthnChallenge>(e =>
        {
            e.ToTable("webauthn_challenges");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => new { x.UserId, x.Purpose });
            e.HasOne<UserAccount>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        model.Entity<SignInAttempt>(e =>
        {
            e.ToTable("sign_in_attempts");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.DelegationCode, x.At });
            e.HasIndex(x => x.UserId);
        });
        model.Entity<DeviceRecord>(e =>
        {
            e.ToTable("devices");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.UserId);
            e.HasOne<UserAccount>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Restrict);
        });
        model.Entity<ClearanceRecord>(e =>
        {
            e.ToTable("clearances");
            e.HasKey(x => x.Serial);
            e.Property(x => x.Serial).ValueGeneratedNever();
            e.HasIndex(x => new { x.DelegationCode, x.SubjectUserId });
            e.HasIndex(x => x.SubjectUserId);
            e.HasOne<UserAccount>().WithMany().HasForeignKey(x => x.SubjectUserId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<DelegationRecord>().WithMany().HasForeignKey(x => x.DelegationCode).OnDelete(DeleteBehavior.Restrict);
        });

        var identityTypes = new[]
        {
            typeof(DelegationRecord), typeof(UserAccount), typeof(UnknownAccountLockout), typeof(SecurityKeyCredential),
            typeof(RecoveryCodeRecord), typeof(EnrollmentRecord), typeof(SessionRecord), typeof(WebAuthnChallenge),
            typeof(SignInAttempt), typeof(DeviceRecord), typeof(ClearanceRecord),
        };
        foreach (var type in identityTypes)
        {
            var entity = model.Model.FindEntityType(type)!;
            foreach (var property in entity.GetProperties())
            {
                if (property.ClrType == typeof(DateTimeOffset)) property.SetValueConverter(Instant);
                else if (property.ClrType == typeof(DateTimeOffset?)) property.SetValueConverter(OptionalInstant);
            }
        }
    }
}
