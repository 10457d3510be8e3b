using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Parley.Protocol.Api;
using Parley.Protocol.Documents;
using Parley.Protocol.Identity;
using Parley.Protocol.Ledger;
using Parley.Server.Hosting;
using Parley.Server.Identity.Model;
using Parley.Server.Identity.Security;
using Parley.Server.Policy.Enforcement;
using Parley.Server.Policy.Engine;
using Parley.Server.Policy.Facts;
using Parley.Server.Policy.Resolution;
using Parley.Server.Storage;
using Parley.Server.Tests.Identity.Support;
using Parley.Server.Tests.Policy.Support;

namespace Parley.Server.Tests.Policy;

/// <summary>
/// The authorization matrix, generated from the running server's endpoints: every endpoint x every
/// role x every label relation has an expected outcome in <see cref="Matrix"/>. An endpoint without
/// policy metadata or without a row fails the test, so no new endpoint escapes it. Every cell is
/// decided by the engine with the endpoint's real metadata and the principals' real stored facts;
/// every endpoint is also called over HTTP by every role, and the label-bearing endpoints for every
/// relation too, checking the status and the decision the ledger recorded.
/// </summary>
public sealed class AuthorizationMatrixTests : IAsyncLifetime
{
    public enum Role { Member, Head, Officer, Auditor, HostAdmin, Anonymous }

    public enum Relation { Dominates, Equal, Below, MissingCompartment, NotReleasable, ExpiredTraining, LowAal, RevokedDevice }

    public enum Outcome { Public, Permit, Forbidden, StepUp, Hidden, Unauthenticated, BadRequest }

    private enum State { Normal, ExpiredTraining, LowAal, RevokedDevice }

    private delegate Outcome Expect(Role role, Relation relation);

    private const string Code = "MTX";
    private const string StaticFiles = "static web client files";

    // Principals are cleared SECRET//ALPHA for MTX; each relation is a label (or a principal state) against that.
    private static string LabelOf(Relation relation) => relation switch
    {
        Relation.Dominates => "CONFIDENTIAL",
        Relation.Below => "TOP SECRET//ALPHA",
        Relation.MissingCompartment => "SECRET//ALPHA/BRAVO",
        Relation.NotReleasable => "SECRET//ALPHA//REL TO ZZZ",
        _ => "SECRET//ALPHA",
    };

    private static State StateOf(Relation relation) => relation switch
    {
        Relation.ExpiredTraining => State.ExpiredTraining,
        Relation.LowAal => State.LowAal,
        Relation.RevokedDevice => State.RevokedDevice,
        _ => State.Normal,
    };

    // ---- The expected outcomes ----

    private static readonly Expect Public = (_, _) => Outcome.Public;

    private static Expect SignedIn(Outcome outcome) => (role, _) => role == Role.Anonymous ? Outcome.Unauthenticated : outcome;

    private static Expect Only(Outcome yes, Outcome no, params Role[] roles) =>
        (role, _) => role == Role.Anonymous ? Outcome.Unauthenticated : roles.Contains(role) ? yes : no;

    private static readonly Expect DelegationMembers = Only(Outcome.Permit, Outcome.Forbidden, Role.Member, Role.Head, Role.Officer, Role.Auditor);
    private static readonly Expect Officers = Only(Outcome.Permit, Outcome.Hidden, Role.Officer);
    private static readonly Expect OfficersAndAuditors = Only(Outcome.Permit, Outcome.Hidden, Role.Officer, Role.Auditor);

    // Changing how one signs in needs a second factor within 5 minutes: the low-assurance principals' is older.
    private static readonly Expect SensitiveAccount = (role, relation) =>
        role == Role.Anonymous ? Outcome.Unauthenticated : relation == Relation.LowAal && role != Role.HostAdmin ? Outcome.StepUp : Outcome.Permit;

    private static Outcome Cleared(Relation relation) => relation switch
    {
        Relation.Dominates or Relation.Equal => Outcome.Permit,
        Relation.LowAal => Outcome.StepUp,
        _ => Outcome.Forbidden,
    };

    // Reading labelled content: members, heads and officers (who are members too) by the label; auditors and the host administrator never.
    private static readonly Expect ContentRead = (role, relation) => role switch
    {
        Role.Anonymous => Outcome.Unauthenticated,
        Role.HostAdmin or Role.Auditor => Outcome.Forbidden,
        _ => Cleared(relation),
    };

    // Authorising a downgrade: officers cleared for the resource; nobody else.
    private static readonly Expect Downgrade = (role, relation) => role switch
    {
        Role.Anonymous => Outcome.Unauthenticated,
        Role.Officer => Cleared(relation),
        _ => Outcome.Forbidden,
    };

    // A room of MTX labelled SECRET//ALPHA (the principals' clearance: Equal), created by the head in the normal
    // state; every member, head and officer is a member of it. Auditors and the host administrator are not, and
    // may not learn that it exists.
    private static Outcome ByState(State state) => state switch
    {
        State.Normal => Outcome.Permit,
        State.LowAal => Outcome.StepUp,
        _ => Outcome.Forbidden,
    };

    private static readonly Expect RoomContent = (role, relation) => role switch
    {
        Role.Anonymous => Outcome.Unauthenticated,
        Role.HostAdmin or Role.Auditor => Outcome.Hidden,
        _ => ByState(StateOf(relation)),
    };

    private static bool IsCreator(Role role, Relation relation) => role == Role.Head && StateOf(relation) == State.Normal;

    // Membership changes (about nobody known): only the creator. Whoever else asks, member or not, is answered as
    // if the room did not exist (the actions hide their denials).
    private static readonly Expect RoomMembers = (role, relation) => role switch
    {
        Role.Anonymous => Outcome.Unauthenticated,
        _ => IsCreator(role, relation) ? Outcome.Permit : Outcome.Hidden,
    };

    // Label and retention: the creator and the officers of a party.
    private static readonly Expect RoomChange = (role, relation) => role switch
    {
        Role.Anonymous => Outcome.Unauthenticated,
        Role.Officer => Outcome.Permit,
        _ => IsCreator(role, relation) ? Outcome.Permit : Outcome.Hidden,
    };

    private static readonly Expect RoomWithdraw = Only(Outcome.Permit, Outcome.Hidden, Role.Officer);

    // Uploading is writing content on one's own account: no label, so no step-up, but training and a live bound device.
    private static readonly Expect Upload = (role, relation) => role switch
    {
        Role.Anonymous => Outcome.Unauthenticated,
        Role.HostAdmin or Role.Auditor => Outcome.Forbidden,
        _ => StateOf(relation) is State.ExpiredTraining or State.RevokedDevice ? Outcome.Forbidden : Outcome.Permit,
    };

    // A restricted document of the room (SECRET//ALPHA), created by the head and wrapped for the devices of every member,
    // head and officer except those revoked before it was made: who got no key may not learn it exists.
    private static readonly Expect DocumentContent = (role, relation) => role switch
    {
        Role.Anonymous => Outcome.Unauthenticated,
        Role.HostAdmin or Role.Auditor => Outcome.Hidden,
        _ when StateOf(relation) == State.RevokedDevice => Outcome.Hidden,
        _ => ByState(StateOf(relation)),
    };

    // Creating a room at the relation's label (the engine is given it as the label written). Creating reveals no
    // content, so it needs no step-up; reading and writing the room do.
    private static readonly Expect RoomCreate = (role, relation) => role switch
    {
        Role.Anonymous => Outcome.Unauthenticated,
        Role.HostAdmin or Role.Auditor => Outcome.Forbidden,
        _ => relation == Relation.LowAal ? Outcome.Permit : Cleared(relation),
    };

    // Endpoints whose policy reads a fact from the body (the label a room, message or roster carries). Over HTTP
    // the body never binds, so the decision lacks that fact: whoever may know the resource is told the request is
    // malformed (400), whatever was decided; the engine cells, given the fact, check the decision itself.
    private static readonly string[] PolicyReadsBody =
        ["POST /api/rooms", "POST /api/rooms/{id}/epochs", "POST /api/rooms/{id}/messages", "PUT /api/rooms/{id}/label",
         "POST /api/rooms/{id}/documents", "POST /api/documents/{id}/versions"];

    private static Outcome OverHttp(string key, Outcome expected) =>
        PolicyReadsBody.Contains(key) && expected is not (Outcome.Hidden or Outcome.Unauthenticated) ? Outcome.BadRequest : expected;

    private static readonly Dictionary<string, Expect> Matrix = new()
    {
        ["GET /healthz"] = Public,
        ["GET /openapi/{documentName}.json"] = Public,
        ["* /api/{**rest}"] = Public,
        ["GET /{*path:nonfile}"] = Public,
        ["HEAD /{*path:nonfile}"] = Public,
        [StaticFiles] = Public,
        ["POST /api/auth/prelogin"] = Public,
        ["POST /api/auth/login"] = Public,
        ["POST /api/auth/webauthn/login/options"] = Public,
        ["POST /api/auth/webauthn/login"] = Public,
        ["POST /api/enroll/begin"] = Public,
        ["POST /api/enroll/complete"] = Public,
        // The ledger is verified by everyone without trusting the host: ids, hashes and HMACs, never content.
        ["GET /ledger/checkpoint"] = Public,
        ["GET /ledger/checkpoints/{size:long}"] = Public,
        ["GET /ledger/tile/{**path}"] = Public,
        ["GET /ledger/verifier-key"] = Public,
        ["GET /ledger/entries"] = Public,
        ["GET /ledger/witnesses"] = Public,
        ["POST /ledger/cosignatures"] = Public,
        ["* /ledger/{**rest:minlength(1)}"] = Public,
        ["POST /api/delegations/{code}/witnesses"] = Officers,

        ["POST /api/auth/logout"] = SignedIn(Outcome.Permit),
        ["GET /api/auth/session"] = SignedIn(Outcome.Permit),
        ["POST /api/auth/step-up"] = SignedIn(Outcome.Permit),
        ["POST /api/auth/webauthn/step-up/options"] = SignedIn(Outcome.Permit),
        ["POST /api/auth/webauthn/step-up"] = SignedIn(Outcome.Permit),
        ["POST /api/auth/device-binding/challenge"] = SignedIn(Outcome.Permit),
        ["POST /api/auth/device-binding"] = SignedIn(Outcome.Permit),

        ["POST /api/account/totp/setup"] = SensitiveAccount,
        ["POST /api/account/totp/confirm"] = SignedIn(Outcome.Permit),
        ["POST /api/account/recovery-codes"] = SensitiveAccount,
        ["POST /api/account/security-keys/options"] = SignedIn(Outcome.Permit),
        ["POST /api/account/security-keys"] = SignedIn(Outcome.Permit),
        ["GET /api/account/security-keys"] = SignedIn(Outcome.Permit),
        ["DELETE /api/account/security-keys/{id:guid}"] = SensitiveAccount,

        ["POST /api/delegations"] = Only(Outcome.Permit, Outcome.Forbidden, Role.HostAdmin),
        ["GET /api/delegations"] = SignedIn(Outcome.Permit),
        ["GET /api/delegations/{code}"] = SignedIn(Outcome.Permit),
        ["POST /api/delegations/{code}/enrollments"] = Only(Outcome.Permit, Outcome.Hidden, Role.Officer, Role.HostAdmin),
        ["GET /api/delegations/{code}/enrollments"] = Only(Outcome.Permit, Outcome.Hidden, Role.Officer, Role.HostAdmin),
        ["DELETE /api/delegations/{code}/enrollments/{id:guid}"] = Only(Outcome.Permit, Outcome.Hidden, Role.Officer, Role.HostAdmin),

        ["GET /api/directory/delegations/{code}"] = DelegationMembers,
        ["GET /api/directory/delegations/{code}/users"] = DelegationMembers,
        ["GET /api/directory/users"] = DelegationMembers,
        ["GET /api/directory/users/{user}"] = DelegationMembers,
        ["POST /api/devices"] = DelegationMembers,
        ["GET /api/devices"] = DelegationMembers,
        // The device belongs to a bystander of MTX: only its officers may revoke it.
        ["POST /api/devices/{id:guid}/revoke"] = Officers,

        ["GET /api/delegations/{code}/devices"] = OfficersAndAuditors,
        ["POST /api/delegations/{code}/clearances"] = Officers,
        ["GET /api/delegations/{code}/clearances"] = OfficersAndAuditors,
        ["POST /api/delegations/{code}/clearances/{serial:guid}/revoke"] = Officers,
        ["GET /api/delegations/{code}/members"] = OfficersAndAuditors,
        ["GET /api/delegations/{code}/sign-ins"] = OfficersAndAuditors,
        ["POST /api/delegations/{code}/training"] = Officers,
        ["GET /api/delegations/{code}/training"] = OfficersAndAuditors,
        ["POST /api/delegations/{code}/grants"] = Officers,
        ["GET /api/delegations/{code}/grants"] = OfficersAndAuditors,
        ["POST /api/delegations/{code}/grants/{id:guid}/revoke"] = Officers,
        ["POST /api/delegations/{code}/members/{user}/suspend"] = Officers,
        ["POST /api/delegations/{code}/members/{user}/reinstate"] = Officers,
        ["GET /api/delegations/{code}/downgrades"] = OfficersAndAuditors,

        ["GET /api/policy/explain"] = OfficersAndAuditors,
        ["GET /api/policy/access"] = ContentRead,
        ["POST /api/policy/downgrades"] = Downgrade,
        ["GET /api/policy/scheme"] = SignedIn(Outcome.Permit),
        ["GET /api/policy/rules"] = SignedIn(Outcome.Permit),

        ["GET /api/rooms"] = DelegationMembers,
        ["* /hubs/rooms"] = DelegationMembers,
        ["* /hubs/rooms/negotiate"] = DelegationMembers,
        ["POST /api/rooms"] = RoomCreate,
        ["GET /api/rooms/{id}"] = RoomContent,
        ["GET /api/rooms/{id}/devices"] = RoomContent,
        ["GET /api/rooms/{id}/log"] = RoomContent,
        ["POST /api/rooms/{id}/epochs"] = RoomContent,
        ["POST /api/rooms/{id}/messages"] = RoomContent,
        ["PUT /api/rooms/{id}/members/{user}"] = RoomMembers,
        ["DELETE /api/rooms/{id}/members/{user}"] = RoomMembers,
        ["PUT /api/rooms/{id}/label"] = RoomChange,
        ["PUT /api/rooms/{id}/retention"] = RoomChange,
        ["POST /api/rooms/{id}/withdraw"] = RoomWithdraw,
        ["GET /api/delegations/{code}/rooms"] = OfficersAndAuditors,

        ["POST /api/uploads"] = Upload,
        ["PUT /api/uploads/{id:guid}"] = Upload,
        ["DELETE /api/uploads/{id:guid}"] = Upload,
        ["POST /api/rooms/{id}/documents"] = RoomContent,
        ["GET /api/rooms/{id}/documents"] = RoomContent,
        ["GET /api/documents/{id}"] = DocumentContent,
        ["POST /api/documents/{id}/versions"] = DocumentContent,
        ["GET /api/documents/{id}/versions/{n:int}/envelope"] = DocumentContent,
        ["GET /api/documents/{id}/versions/{n:int}/content"] = DocumentContent,
        ["POST /api/documents/{id}/versions/{n:int}/wraps"] = DocumentContent,
        ["POST /api/documents/{id}/endorsements"] = DocumentContent,
        ["POST /api/documents/{id}/versions/{n:int}/prints"] = DocumentContent,
        ["POST /api/documents/{id}/versions/{n:int}/marks"] = DocumentContent,
        ["GET /api/documents/{id}/prints"] = Officers,
        ["POST /api/documents/{id}/prints/{copy:int}/destroyed"] = Officers,
        ["POST /api/documents/{id}/trace-copies"] = Officers,
        ["POST /api/documents/{id}/destroy"] = Officers,
        ["PUT /api/documents/{id}/retention"] = Officers,
        ["GET /api/delegations/{code}/document-reviews"] = OfficersAndAuditors,
    };

    // Endpoints whose resource is the relation's label: called over HTTP for every relation.
    private static readonly string[] LabelBearing = ["GET /api/policy/access", "GET /api/policy/explain", "POST /api/policy/downgrades"];

    // ---- The world ----

    private IdentityHost _host = null!;
    private ClientDriver _client = null!;
    private PolicyDriver _policy = null!;
    private readonly Dictionary<(Role, State), TestAccount> _principals = [];
    private TestAccount _admin = null!;
    private TestAccount _bystander = null!;
    private TestDevice _bystanderDevice = null!;
    private Guid _room;
    private Guid _document;
    private readonly Dictionary<(Role, State), TestDevice> _devices = [];

    public async Task InitializeAsync()
    {
        _host = await IdentityHost.StartAsync();
        _client = new ClientDriver(_host);
        _policy = new PolicyDriver(_client);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static IEnumerable<(string Key, string Method, RouteEndpoint Endpoint)> Endpoints(RunningServer server)
    {
        foreach (var endpoint in ((IEndpointRouteBuilder)server.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>())
        {
            var policy = endpoint.Metadata.GetMetadata<EndpointPolicy>();
            if (policy?.PublicBecause == ParleyHost.WebClientFilesArePublic)
            {
                yield return (StaticFiles, "GET", endpoint);
                continue;
            }
            var pattern = "/" + endpoint.RoutePattern.RawText?.Trim('/');
            var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [];
            if (methods.Count == 0) yield return ($"* {pattern}", "GET", endpoint);
            foreach (var method in methods) yield return ($"{method} {pattern}", method, endpoint);
        }
    }

    [Fact]
    public async Task Every_endpoint_declares_a_policy_and_has_a_row_in_the_matrix_and_every_row_an_endpoint()
    {
        var endpoints = Endpoints(_host.Server).ToList();
        var undeclared = endpoints.Where(e => e.Endpoint.Metadata.GetMetadata<EndpointPolicy>() is null).Select(e => $"{e.Key} ({e.Endpoint.DisplayName}: {string.Join(",", e.Endpoint.Metadata.Select(m => m.GetType().Name))})").Distinct().ToList();
        Assert.True(undeclared.Count == 0, $"Endpoints without policy metadata: {string.Join("; ", undeclared)}");
        var missing = endpoints.Select(e => e.Key).Distinct().Where(k => !Matrix.ContainsKey(k)).ToList();
        Assert.True(missing.Count == 0, $"Endpoints without a row in the authorization matrix: {string.Join("; ", missing)}");
        var stale = Matrix.Keys.Where(k => endpoints.All(e => e.Key != k)).ToList();
        Assert.True(stale.Count == 0, $"Matrix rows without an endpoint: {string.Join("; ", stale)}");

        var kinds = _host.Server.App.Services.GetRequiredService<ResourceKinds>();
        foreach (var (key, _, endpoint) in endpoints)
        {
            var policy = endpoint.Metadata.GetMetadata<EndpointPolicy>()!;
            if (policy.IsPublic) Assert.True(Matrix[key](Role.Member, Relation.Equal) == Outcome.Public, $"{key} is public but its row says otherwise");
            else Assert.True(policy.Resource!.Kind is null || kinds.Knows(policy.Resource.Kind), $"{key} finds a {policy.Resource.Kind}, which no resolver knows");
        }
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Every_endpoint_for_every_role_and_label_relation_answers_as_the_matrix_says()
    {
        await BuildWorldAsync();
        var endpoints = Endpoints(_host.Server).ToList();
        var unlisted = endpoints.Select(e => e.Key).Where(k => !Matrix.ContainsKey(k)).Distinct().ToList();
        Assert.True(unlisted.Count == 0, $"Endpoints without a row in the authorization matrix: {string.Join("; ", unlisted)}");
        var failures = new List<string>();

        // 1. Every cell through the engine, with the endpoint's real metadata and the principals' stored facts.
        var cells = 0;
        foreach (var (key, _, endpoint) in endpoints.Where(e => e.Key != StaticFiles).DistinctBy(e => e.Key))
        {
            var policy = endpoint.Metadata.GetMetadata<EndpointPolicy>()!;
            foreach (var role in Enum.GetValues<Role>())
            foreach (var relation in Enum.GetValues<Relation>())
            {
                var expected = Matrix[key](role, relation);
                var actual = policy.IsPublic ? Outcome.Public : role == Role.Anonymous ? Outcome.Unauthenticated : await DecideAsync(policy, role, relation);
                if (actual != expected) failures.Add($"engine: {key} as {role}, {relation}: expected {expected}, decided {actual}");
                cells++;
            }
        }

        // 2. Over HTTP: every endpoint by every role (normal principals, equal label), the label-bearing ones for every relation;
        //    signing out comes last, since it ends the sessions.
        var requests = 0;
        var ordered = endpoints.OrderBy(e => e.Key == "POST /api/auth/logout").ToList();
        foreach (var (key, method, endpoint) in ordered)
        {
            if (key == StaticFiles)
            {
                var file = await _client.SendAsync(HttpMethod.Get, Path(endpoint, Relation.Equal), null, null);
                if (file.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.InternalServerError)
                    failures.Add($"http: {endpoint.RoutePattern.RawText}: {(int)file.StatusCode}");
                requests++;
                continue;
            }
            var relations = LabelBearing.Contains(key) ? Enum.GetValues<Relation>() : [Relation.Equal];
            foreach (var relation in relations)
            foreach (var role in Enum.GetValues<Role>())
            {
                var expected = OverHttp(key, Matrix[key](role, relation));
                var (actual, detail) = await CallAsync(method, endpoint, role, relation, PolicyReadsBody.Contains(key));
                if (actual != expected) failures.Add($"http: {key} as {role}, {relation}: expected {expected}, got {actual} ({detail})");
                requests++;
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {cells} cells and {requests} requests disagree with the matrix:\n{string.Join("\n", failures)}");
        Assert.True(cells >= Matrix.Count * 48 - 48, $"only {cells} cells evaluated");
    }

    // ---- Deciding a cell with the engine ----

    private async Task<Outcome> DecideAsync(EndpointPolicy policy, Role role, Relation relation)
    {
        await using var scope = _host.Server.App.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<ParleyDbContext>();
        var engine = services.GetRequiredService<PolicyEngine>();
        var kinds = services.GetRequiredService<ResourceKinds>();
        var facts = services.GetRequiredService<PrincipalFacts>();
        var account = Principal(role, StateOf(relation));
        var user = await db.Set<UserAccount>().SingleAsync(u => u.Id == account.UserId);
        var hash = Tokens.Hash(account.Token!);
        var session = await db.Set<SessionRecord>().SingleAsync(s => s.TokenHash == hash);

        var action = policy.Action switch
        {
            ActionLocator.Fixed f => f.Action,
            ActionLocator.FromQuery => Actions.Read,
            _ => throw new InvalidOperationException("unknown action locator"),
        };
        var resource = policy.Resource switch
        {
            ResourceLocator.Self => UserResolver.Describe(user),
            ResourceLocator.Fixed f => await kinds.ResolverFor(f.FixedKind, services)!.ResolveAsync(f.Key, default),
            ResourceLocator.FromRoute r => await kinds.ResolverFor(r.RouteKind, services)!.ResolveAsync(RouteValue(r.RouteKind, r.Parameter), default),
            ResourceLocator.ReferenceFromQuery => await kinds.ResolveAsync($"label:{LabelOf(relation)}", services, default),
            _ => throw new InvalidOperationException("unknown resource locator"),
        };
        Assert.NotNull(resource);
        var context = PolicyContext.Empty;
        // What the endpoints read from the body: a room is created at the relation's label; content is written at the resource's own label.
        if (action == Actions.CreateRoom) context = context with { WrittenLabel = _host.Server.App.Services.GetRequiredService<PolicyEngine>().Settings.Scheme.ParseBanner(LabelOf(relation)).Value };
        if (action == Actions.Write && resource!.Label is { } own) context = context with { WrittenLabel = own };
        if (policy.Action is ActionLocator.Fixed { Action.Name: "policy.explain" })
        {
            var explained = Principal(Role.Member, State.Normal);
            context = context with { ExplainedUser = new ExplainedUser(explained.UserId, explained.Email, Code) };
        }
        var now = _host.Clock.GetUtcNow();
        var principal = await facts.LoadAsync(user, session, now, default);
        var decision = engine.Decide(new PolicyRequest(principal, action, resource!, context, now));
        return decision.Permitted ? Outcome.Permit : decision.Hidden ? Outcome.Hidden : decision.StepUp ? Outcome.StepUp : Outcome.Forbidden;
    }

    private string RouteValue(string kind, string parameter) => (kind, parameter) switch
    {
        (_, "code") => Code,
        ("room", "id") => _room.ToString(),
        ("document", "id") => _document.ToString(),
        (_, "id") => _bystanderDevice.Id.ToString(),
        _ => throw new InvalidOperationException($"no value for route parameter {parameter}"),
    };

    // ---- Calling an endpoint over HTTP ----

    private async Task<(Outcome Outcome, string Detail)> CallAsync(string method, RouteEndpoint endpoint, Role role, Relation relation, bool policyReadsBody)
    {
        var token = role == Role.Anonymous ? null : Principal(role, StateOf(relation)).Token;
        var before = await PolicyDriver.LastLedgerIdAsync(_host);
        // A body that never binds: a permitted call stops at the handler's binding (400) and changes nothing.
        var content = method is "GET" or "HEAD" ? null : new StringContent("{", Encoding.UTF8, "application/json");
        var response = await _client.SendAsync(new HttpMethod(method), Path(endpoint, relation), content, token);
        var text = await response.Content.ReadAsStringAsync();
        var decisions = (await PolicyDriver.LedgerSinceAsync(_host, before)).Select(e => e.Entry).Where(e => e.Type == LedgerEventType.AccessDecision)
            // An explanation records the decision it explains as well, marked explained-for; one request, one enforcement decision.
            .Where(e => e.Field("explained-for") is null).ToList();
        var detail = $"{(int)response.StatusCode}, {decisions.Count} decisions";
        if (response.StatusCode == HttpStatusCode.Unauthorized) return (decisions.Count == 0 ? Outcome.Unauthenticated : Outcome.Forbidden, detail);
        if (decisions.Count == 0) return (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.InternalServerError ? Outcome.Forbidden : Outcome.Public, detail);
        if (decisions.Count != 1) return (Outcome.Forbidden, detail + ": one request, one decision");
        var decision = decisions[0];
        if (decision.Actor != Principal(role, StateOf(relation)).UserId) return (Outcome.Forbidden, detail + ": decision about someone else");
        if (policyReadsBody && response.StatusCode == HttpStatusCode.BadRequest) return (Outcome.BadRequest, detail + $", {decision.Field("decision")}");
        if (decision.Field("decision") == "permit")
            return (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.InternalServerError ? Outcome.Forbidden : Outcome.Permit, detail);
        if (response.StatusCode == HttpStatusCode.NotFound) return (Outcome.Hidden, detail);
        if (response.StatusCode != HttpStatusCode.Forbidden) return (Outcome.Public, detail + ": a denial must answer 403 or 404");
        using var problem = JsonDocument.Parse(text);
        var stepUp = problem.RootElement.GetProperty("stepUp").GetBoolean();
        var rules = string.Join(",", problem.RootElement.GetProperty("rules").EnumerateArray().Select(r => r.GetString()));
        if (rules != decision.Field("rules")) return (Outcome.Public, detail + $": the answer's rules {rules} differ from the ledger's {decision.Field("rules")}");
        return (stepUp ? Outcome.StepUp : Outcome.Forbidden, detail + $", {rules}");
    }

    private string Path(RouteEndpoint endpoint, Relation relation)
    {
        var pattern = "/" + endpoint.RoutePattern.RawText?.Trim('/');
        var path = pattern
            .Replace("{code}", Code)
            .Replace("/api/devices/{id:guid}", $"/api/devices/{_bystanderDevice?.Id ?? Guid.NewGuid()}")
            .Replace("{id:guid}", Guid.NewGuid().ToString())
            .Replace("/api/rooms/{id}", $"/api/rooms/{_room}")
            .Replace("/api/documents/{id}", $"/api/documents/{_document}")
            .Replace("{n:int}", "1")
            .Replace("{copy:int}", "1")
            .Replace("{serial:guid}", Guid.NewGuid().ToString())
            .Replace("{user}", "nobody@x.example")
            .Replace("{documentName}", "v1")
            .Replace("{**rest}", "no-such-endpoint")
            .Replace("{size:long}", "1")
            .Replace("{**path}", "0/000")
            .Replace("{**rest:minlength(1)}", "no-such-resource")
            .Replace("{*path:nonfile}", "some/page")
            .Replace("{**path:file}", "no-such-file.png");
        var resource = Uri.EscapeDataString($"label:{LabelOf(relation)}");
        return path switch
        {
            "/api/policy/access" => $"{path}?resource={resource}&action=read",
            "/api/policy/explain" => $"{path}?resource={resource}&action=read&user={Uri.EscapeDataString(Principal(Role.Member, State.Normal).Email)}",
            "/api/policy/downgrades" => $"{path}?resource={resource}",
            _ => path,
        };
    }

    private TestAccount Principal(Role role, State state) => role == Role.HostAdmin ? _admin : _principals[(role, state)];

    // ---- Building the principals, once ----

    private async Task BuildWorldAsync()
    {
        _admin = await _client.BootstrapAdministratorAsync();
        var (officer, _) = await _client.DelegationWithOfficerAsync(_admin, Code, "Matrix");
        _bystander = await _client.MemberAsync(officer, Code, "bystander@mtx.example");
        _bystanderDevice = await _client.NewDeviceAsync(_bystander);
        await ClientDriver.ReadAsync<DeviceView>(await _client.PostAsync("/api/devices", new RegisterDeviceRequest(_bystanderDevice.Certificate), _bystander.Token), HttpStatusCode.Created);

        var roles = new Dictionary<Role, string[]>
        {
            [Role.Member] = ["member"],
            [Role.Head] = ["head-of-delegation", "member"],
            [Role.Officer] = ["security-officer", "member"],
            [Role.Auditor] = ["auditor"],
        };
        foreach (var (role, names) in roles)
        foreach (var state in Enum.GetValues<State>())
            _principals[(role, state)] = await _client.MemberAsync(officer, Code, $"{role}-{state}@mtx.example".ToLowerInvariant(), names);

        var keys = new Dictionary<(Role, State), SoftwareAuthenticator>();
        foreach (var ((role, state), account) in _principals)
        {
            var trainingUntil = state == State.ExpiredTraining ? _host.Clock.GetUtcNow().AddDays(-1) : (DateTimeOffset?)null;
            await _policy.CertifyAsync(officer, account, Code, "SECRET", ["ALPHA"], trainingUntil);
            var device = await _policy.RegisterAndBindAsync(account, account.Token!);
            _devices[(role, state)] = device;
            if (state != State.LowAal) keys[(role, state)] = await _policy.SecurityKeyAsync(account.Token!);
            if (state == State.RevokedDevice)
            {
                var revocation = await _client.RevocationAsync(account.IdentityKey, RevocationKind.Device, device.Id, Code);
                await ClientDriver.ReadAsync<DeviceView>(await _client.PostAsync($"/api/devices/{device.Id}/revoke", new RevokeRequest(revocation), account.Token));
            }
        }

        // The low-assurance sessions' last second factor is now well over 5 minutes old; every other
        // session proves a security key now, and the host administrator signs in afresh.
        _host.Clock.Advance(TimeSpan.FromMinutes(6));
        foreach (var (principal, key) in keys) await _policy.StepUpWithKeyAsync(key, _principals[principal].Token!);
        await _client.LoginAsync(_admin);

        var creator = Principal(Role.Head, State.Normal);
        var room = await ClientDriver.ReadAsync<RoomView>(await _client.PostAsync("/api/rooms", new CreateRoomRequest("Matrix room", "SECRET//ALPHA", [Code]), creator.Token), HttpStatusCode.Created);
        _room = room.Id;
        foreach (var ((role, _), account) in _principals)
        {
            if (role == Role.Auditor || account == creator) continue;
            await ClientDriver.ReadAsync<RoomView>(await _client.SendAsync(HttpMethod.Put, $"/api/rooms/{_room}/members/{Uri.EscapeDataString(account.Email)}", null, creator.Token));
        }

        // A restricted document of the room, by the head, wrapped for every device that is not revoked (the server
        // cannot open wraps, so made-up ones do); its ciphertext is random bytes the manifest hashes.
        _document = Guid.NewGuid();
        var ciphertext = System.Security.Cryptography.RandomNumberGenerator.GetBytes((int)DocumentVersion.CiphertextLengthOf(100));
        var manifest = new DocumentVersion(_document, 1, [], "SECRET//ALPHA", [], "text/plain", 100, [.. ciphertext.AsSpan(0, DocumentVersion.SaltSize)], ciphertext.Length,
            [.. System.Security.Cryptography.SHA256.HashData(ciphertext)], [.. new byte[32]], creator.UserId, _devices[(Role.Head, State.Normal)].Id, _host.Clock.GetUtcNow().ToUnixTimeSeconds());
        var signed = await Signed<DocumentVersion>.SignAsync(ClientDriver.Suite, creator.IdentityKey, manifest);
        var wraps = _devices.Where(d => d.Key.Item1 != Role.Auditor && d.Key.Item2 != State.RevokedDevice)
            .Select(d => DocumentKeyWrap.Decode(Documents.Support.DocumentsWorld.Wrap(KeyWrapRecipient.Device, _document, 1, manifest.Hash(), d.Value.Id, 0)).Value).ToList();
        var upload = await ClientDriver.ReadAsync<UploadView>(await _client.PostEmptyAsync("/api/uploads", creator.Token), HttpStatusCode.Created);
        var part = new ByteArrayContent(ciphertext);
        part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        await ClientDriver.ReadAsync<UploadView>(await _client.SendAsync(HttpMethod.Put, $"/api/uploads/{upload.Id}?offset=0", part, creator.Token));
        await ClientDriver.ReadAsync<DocumentView>(await _client.PostAsync($"/api/rooms/{_room}/documents",
            new CreateDocumentRequest("Matrix document", upload.Id, new DocumentEnvelope(signed, wraps).Encode(), Restricted: true), creator.Token), HttpStatusCode.Created);
    }
}
