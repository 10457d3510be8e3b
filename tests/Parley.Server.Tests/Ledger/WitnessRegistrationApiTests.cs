using System.Net;
using System.Net.Http.Json;
using Parley.Client.Ledger;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Ledger;
using Parley.Server.Tests.Identity.Support;

namespace Parley.Server.Tests.Ledger;

/// <summary><c>POST /api/delegations/{code}/witnesses</c>: a delegation's security officer registers its witness; the answer carries the entry's index.</summary>
public sealed class WitnessRegistrationApiTests : IAsyncLifetime
{
    private IdentityHost _host = null!;
    private ClientDriver _client = null!;
    private TestAccount _admin = null!, _officer = null!, _otherOfficer = null!;

    public async Task InitializeAsync()
    {
        _host = await IdentityHost.StartAsync();
        _client = new ClientDriver(_host);
        _admin = await _client.BootstrapAdministratorAsync();
        (_officer, _) = await _client.DelegationWithOfficerAsync(_admin, "WIT", "Witnessing");
        (_otherOfficer, _) = await _client.DelegationWithOfficerAsync(_admin, "OTH", "Other");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static CosignatureV1Signer Witness(string name) => new(name, SecretKey.Generate(32), TimeProvider.System);

    private Task<HttpResponseMessage> RegisterAsync(string code, RegisterWitnessRequest request, string? token = null) =>
        _client.SendAsync(HttpMethod.Post, $"/api/delegations/{code}/witnesses", JsonContent.Create(request, LedgerJson.Default.RegisterWitnessRequest), token);

    [Fact]
    public async Task An_officer_registers_the_delegations_witness_and_gets_the_index_of_its_ledger_entry()
    {
        using var witness = Witness("wit.witness.example");
        await _client.LoginAsync(_officer);
        using var response = await RegisterAsync("WIT", new RegisterWitnessRequest("WIT witness", witness.Verifier.VerifierKey), _officer.Token);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var registered = (await response.Content.ReadFromJsonAsync(LedgerJson.Default.WitnessRegistered))!;
        Assert.Equal(("WIT", "WIT witness", witness.Verifier.VerifierKey), (registered.Witness.Delegation, registered.Witness.Name, registered.Witness.VerifierKey));
        Assert.True(registered.TreeSize > registered.LedgerIndex);

        // The client proves the entry at that index: the officer registered this key for this delegation.
        var client = await LedgerClient.CreateAsync(_host.Http, await LedgerClient.FetchVerifierKeysAsync(_host.Http), new MemoryCheckpointStore());
        var entry = LedgerEntry.Decode(await client.GetVerifiedEntryAsync(registered.LedgerIndex)).Value;
        Assert.Equal((LedgerEventType.WitnessRegistered, (Guid?)_officer.UserId, "WIT"), (entry.Type, entry.Actor, entry.Delegation));
        Assert.Equal(witness.Verifier.VerifierKey, entry.Field("verifier-key"));

        // Its cosignatures are now accepted.
        var text = SignedNote.Parse(await _host.Http.GetStringAsync("/ledger/checkpoint")).Value.Text;
        using var cosign = await _host.Http.PostAsync("/ledger/cosignatures", new StringContent(witness.Sign(text).Line));
        Assert.Equal(HttpStatusCode.OK, cosign.StatusCode);

        // The same key twice is a conflict; a key that is not a witness key is refused.
        await ClientDriver.ProblemAsync(await RegisterAsync("WIT", new RegisterWitnessRequest("again", witness.Verifier.VerifierKey), _officer.Token), HttpStatusCode.Conflict);
        using var logKey = new Ed25519NoteSigner("wit.witness.example", SecretKey.Generate(32));
        await ClientDriver.ProblemAsync(await RegisterAsync("WIT", new RegisterWitnessRequest("wrong type", logKey.Verifier.VerifierKey), _officer.Token), HttpStatusCode.BadRequest);
        await ClientDriver.ProblemAsync(await RegisterAsync("WIT", new RegisterWitnessRequest("", Witness("x.example").Verifier.VerifierKey), _officer.Token), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Only_an_officer_of_that_delegation_may_register_its_witness()
    {
        using var witness = Witness("intruder.example");
        var request = new RegisterWitnessRequest("intruder", witness.Verifier.VerifierKey);
        var member = await _client.MemberAsync(_officer, "WIT", "member@wit.example");
        await _client.LoginAsync(member);
        await _client.LoginAsync(_otherOfficer);
        await _client.LoginAsync(_admin);

        await ClientDriver.ProblemAsync(await RegisterAsync("WIT", request), HttpStatusCode.Unauthorized);
        await ClientDriver.ProblemAsync(await RegisterAsync("WIT", request, member.Token), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await RegisterAsync("WIT", request, _otherOfficer.Token), HttpStatusCode.NotFound);
        await ClientDriver.ProblemAsync(await RegisterAsync("WIT", request, _admin.Token), HttpStatusCode.NotFound);
        Assert.Equal(0L, await _host.CountAsync("SELECT count(*) FROM witnesses"));
    }
}
