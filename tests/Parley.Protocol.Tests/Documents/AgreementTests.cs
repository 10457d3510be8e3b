using Parley.Protocol.Crypto;
using Parley.Protocol.Documents;
using Parley.Protocol.Formats;
using Parley.Protocol.Identity;
using Parley.Protocol.Tests.Identity;
using Parley.Protocol.Tests.Robustness;

namespace Parley.Protocol.Tests.Documents;

/// <summary>Initialling and signing by heads of delegation, and when a text is agreed: every party's head
/// has signed the same version hash; initials, forged, misattributed or foreign records never count.</summary>
public class AgreementTests
{
    private readonly IdentityWorld _world = new();

    private sealed record Head(AgreementParty Party, Person Person);

    private async Task<Head> HeadAsync(string delegation, Roles roles = Roles.Member | Roles.HeadOfDelegation)
    {
        var officer = await _world.CreateDelegationAsync(delegation);
        var person = await _world.CreatePersonAsync();
        var clearance = await _world.CertifyAsync(officer.Key, delegation, person, roles: roles);
        var member = (await new TrustVerifier(_world.Suite).VerifyMemberAsync(IdentityWorld.Trust(officer), person.UserId, person.Key.PublicKey, clearance, IdentityWorld.Now)).Value;
        return new Head(new AgreementParty(delegation, member), person);
    }

    private ValueTask<Signed<Endorsement>> EndorseAsync(Head head, EndorsementKind kind, DocumentVersion version) =>
        Endorsement.CreateAsync(_world.Suite, head.Person.Key, kind, version, head.Party.Delegation, head.Person.UserId, IdentityWorld.Now);

    [Fact]
    public async Task A_text_is_agreed_when_every_head_signed_the_same_version()
    {
        var atl = await HeadAsync("ATL");
        var bor = await HeadAsync("BOR");
        var v1 = DocumentFixtures.Version(1);
        var v2 = DocumentFixtures.Version(2, previous: [.. v1.Hash()]);
        var parties = new[] { atl.Party, bor.Party };

        var records = new List<Signed<Endorsement>> { await EndorseAsync(atl, EndorsementKind.Initial, v1), await EndorseAsync(bor, EndorsementKind.Initial, v1) };
        var initialled = await Agreement.EvaluateAsync(_world.Suite, DocumentFixtures.DocumentId, parties, records);
        Assert.False(initialled.IsAgreed);
        Assert.Equal(2, initialled.Counted.Count);
        Assert.Equal(["ATL", "BOR"], initialled.PartiesYetToSign);

        records.Add(await EndorseAsync(atl, EndorsementKind.Sign, v1));
        records.Add(await EndorseAsync(bor, EndorsementKind.Sign, v2));
        var split = await Agreement.EvaluateAsync(_world.Suite, DocumentFixtures.DocumentId, parties, records);
        Assert.False(split.IsAgreed);
        Assert.Equal(["ATL"], split.PartiesYetToSign);

        records.Add(await EndorseAsync(atl, EndorsementKind.Sign, v2));
        var agreed = await Agreement.EvaluateAsync(_world.Suite, DocumentFixtures.DocumentId, parties, records);
        Assert.True(agreed.IsAgreed);
        Assert.Equal(2, agreed.AgreedVersion);
        Assert.Equal(v2.Hash(), agreed.AgreedVersionHash.ToArray());
        Assert.Empty(agreed.PartiesYetToSign);
        Assert.Empty(agreed.Rejected);
    }

    [Fact]
    public async Task Records_that_are_forged_foreign_or_by_someone_else_do_not_count()
    {
        var atl = await HeadAsync("ATL");
        var bor = await HeadAsync("BOR");
        var notHead = await HeadAsync("CRD", Roles.Member);
        var impostor = await HeadAsync("ATL");
        var v1 = DocumentFixtures.Version(1);
        var parties = new[] { atl.Party, bor.Party };

        var borSigns = await EndorseAsync(bor, EndorsementKind.Sign, v1);
        // An impostor's valid signature, claiming to speak for ATL under their own user id.
        var byImpostor = await EndorseAsync(impostor, EndorsementKind.Sign, v1);
        // The impostor claims the real head's user id, signing with their own key.
        var misattributed = await Endorsement.CreateAsync(_world.Suite, impostor.Person.Key, EndorsementKind.Sign, v1, "ATL", atl.Person.UserId, IdentityWorld.Now);
        var otherDocument = await Signed<Endorsement>.SignAsync(_world.Suite, atl.Person.Key,
            new Endorsement(EndorsementKind.Sign, Guid.NewGuid(), 1, [.. v1.Hash()], "ATL", atl.Person.UserId, 0));
        var byNonParty = await EndorseAsync(notHead, EndorsementKind.Sign, v1);
        var status = await Agreement.EvaluateAsync(_world.Suite, DocumentFixtures.DocumentId, parties, [borSigns, byImpostor, misattributed, otherDocument, byNonParty]);
        Assert.False(status.IsAgreed);
        Assert.Single(status.Counted);
        Assert.Equal(["ATL"], status.PartiesYetToSign);
        Assert.Equal([1, 2, 3, 4], status.Rejected.Select(r => r.Index));
        Assert.Contains("not made by the head of delegation of ATL", status.Rejected[0].Reason);
        Assert.Contains("signature does not verify", status.Rejected[1].Reason);
        Assert.Contains("another document", status.Rejected[2].Reason);
        Assert.Contains("CRD is not a party", status.Rejected[3].Reason);

        var withoutRole = await Agreement.EvaluateAsync(_world.Suite, DocumentFixtures.DocumentId, [atl.Party, notHead.Party], [await EndorseAsync(atl, EndorsementKind.Sign, v1), await EndorseAsync(notHead, EndorsementKind.Sign, v1)]);
        Assert.False(withoutRole.IsAgreed);
        Assert.Contains("not a head of delegation", withoutRole.Rejected.Single().Reason);
    }

    [Fact]
    public async Task A_tampered_endorsement_does_not_count_and_hostile_bytes_are_typed_errors()
    {
        var atl = await HeadAsync("ATL");
        var v1 = DocumentFixtures.Version(1);
        var encoded = (await EndorseAsync(atl, EndorsementKind.Sign, v1)).Encode();
        Assert.True((await Agreement.EvaluateAsync(_world.Suite, DocumentFixtures.DocumentId, [atl.Party], [Signed<Endorsement>.Decode(encoded).Value])).IsAgreed);
        foreach (var input in Mutations.Of(encoded, 120, 5))
        {
            var decoded = Signed<Endorsement>.Decode(input);
            if (!decoded.IsOk)
            {
                Assert.Equal(ProtocolErrorCode.Malformed, decoded.Error.Code);
                continue;
            }
            Assert.False((await Agreement.EvaluateAsync(_world.Suite, DocumentFixtures.DocumentId, [atl.Party], [decoded.Value])).IsAgreed, Mutations.Show(input));
        }
        var body = Canonical.Decode<Endorsement>(Signed<Endorsement>.Decode(encoded).Value.Payload).Value;
        Assert.Equal(EndorsementKind.Sign, body.Kind);
    }
}
