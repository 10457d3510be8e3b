using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OtpNet;
using Parley.Client.Api;
using Parley.Client.Flows;
using Parley.Client.Profiles;
using Parley.Client.Rooms;
using Parley.Protocol.Api;
using Parley.Protocol.Crypto;
using Parley.Protocol.Identity;
using Parley.Server.Hosting;

namespace Parley.Bench.Quick;

/// <summary>
/// <c>rooms</c>: one real server in this process on loopback (SQLite in a temporary folder) and N members
/// of two delegations, each a rooms client of the SDK with its own profile and live (SignalR) connection,
/// as the CLI and the web client are. Measures the first send in rooms of 10 and of N devices (admitting
/// every device, making and publishing the epoch, posting), the send after a removal (a new epoch of
/// N-1 devices), then M messages from one member: sends per second, and the delivery latency from the
/// moment a send starts until each other member's client has the message decrypted (p50, p99, max).
/// </summary>
public static class RoomsBench
{
    private static readonly CryptoSuite Suite = CryptoSuite.Default;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private sealed record Member(string Email, ParleyClient Client, IProfileStore Store, EnrolledAccount Enrolled);

    public static async Task<int> RunAsync(string[] args)
    {
        var members = 50;
        var messages = 200;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Length ? args[++i] : throw new UsageException($"{name} needs a value.");
            switch (name)
            {
                case "--members": members = Math.Max(2, int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                case "--messages": messages = Math.Max(1, int.Parse(value, System.Globalization.CultureInfo.InvariantCulture)); break;
                default: throw new UsageException($"Unknown option {name}.");
            }
        }

        var root = Directory.CreateTempSubdirectory("parley-bench-rooms-");
        var clock = new ShiftedClock();
        var https = new List<HttpClient>();
        try
        {
            Console.WriteLine($"rooms: {members} members of 2 delegations, {messages} messages, {Environment.ProcessorCount} cores, {Measure.Load()}");
            await using var server = await ParleyHost.StartAsync(new ServerOptions
            {
                DataDirectory = Path.Combine(root.FullName, "data"),
                Urls = "http://127.0.0.1:0",
                MinimumLogLevel = LogLevel.Warning,
                Time = clock,
            });
            var url = server.Addresses[0];
            ParleyClient NewClient()
            {
                var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(2) };
                https.Add(http);
                return new ParleyClient(http);
            }

            // Setting up is not measured: enrollment is rate limited per address, which the clock skips over.
            var setup = Stopwatch.StartNew();
            var token = (await File.ReadAllTextAsync(Path.Combine(root.FullName, "data", "bootstrap-token"))).Trim();
            var admin = await EnrollAsync(NewClient(), clock, EnrollmentLink.Bootstrap(url, token), "admin@host.example", bootstrap: true);
            var people = new List<Member>();
            foreach (var code in new[] { "ATL", "BOR" })
            {
                await admin.Client.CreateDelegationAsync(new CreateDelegationRequest(code, code, code));
                var officer = await InviteAsync(admin, NewClient(), clock, $"so@{code.ToLowerInvariant()}.example", Roles.SecurityOfficer | Roles.Member, code);
                var count = code == "ATL" ? (members + 1) / 2 : members / 2;
                for (var i = 0; i < count; i++)
                {
                    var member = await InviteAsync(officer, NewClient(), clock, $"m{i}@{code.ToLowerInvariant()}.example", Roles.Member, code);
                    await new SecurityOfficer(officer.Client, Suite).CertifyAsync(officer.Enrolled.Account.Identity, code,
                        new ClearanceRequest(member.Email, "CONFIDENTIAL", [], Roles.Member, TimeSpan.FromDays(30), clock.GetUtcNow().AddDays(30)));
                    people.Add(member);
                }
            }
            var clients = new List<RoomsClient>();
            foreach (var person in people) clients.Add(await RoomsClient.OpenAsync(person.Client, person.Store, Suite, person.Enrolled.Account.Identity, clock));
            Console.WriteLine($"  set up {people.Count} members in {setup.Elapsed.TotalSeconds:F1} s");
            const string label = "CONFIDENTIAL//REL TO ATL, BOR";

            // Epochs: the first send in a room of 10 devices, then of N, then after a removal.
            foreach (var size in new[] { Math.Min(10, people.Count), people.Count })
            {
                var room = await clients[0].CreateRoomAsync($"epoch {size}", label, ["ATL", "BOR"]);
                foreach (var person in people.Skip(1).Take(size - 1)) await clients[0].AddMemberAsync(room.Id, person.Email);
                var first = Stopwatch.StartNew();
                var sent = await clients[0].SendAsync(room.Id, "first");
                Console.WriteLine($"  first send, epoch of {size,3} devices:  {first.Elapsed.TotalMilliseconds,8:F0} ms (admit, make and publish epoch {sent.NewEpoch}, post)");
                if (size == people.Count)
                {
                    await clients[0].RemoveMemberAsync(room.Id, people[^1].Email);
                    var after = Stopwatch.StartNew();
                    await clients[0].SendAsync(room.Id, "after removal");
                    Console.WriteLine($"  send after a removal ({size - 1,3} devices): {after.Elapsed.TotalMilliseconds,8:F0} ms");
                }
            }

            // Delivery: every member connected live; one member sends M messages one after the other.
            var talks = await clients[0].CreateRoomAsync("delivery", label, ["ATL", "BOR"]);
            foreach (var person in people.Skip(1)) await clients[0].AddMemberAsync(talks.Id, person.Email);
            await clients[0].SendAsync(talks.Id, "warm-up");
            var started = new ConcurrentDictionary<string, long>();
            var latencies = new ConcurrentBag<double>();
            var remaining = new CountdownEvent(messages * (clients.Count - 1));
            var connections = new List<RoomsLiveConnection>();
            foreach (var client in clients.Skip(1))
            {
                var live = RoomsLiveConnection.Create(client);
                live.Updated += update =>
                {
                    var now = Stopwatch.GetTimestamp();
                    foreach (var message in update.Messages)
                    {
                        if (message.Text is { } text && started.TryGetValue(text, out var at))
                        {
                            latencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                            remaining.Signal();
                        }
                    }
                    return Task.CompletedTask;
                };
                await live.StartAsync();
                connections.Add(live);
            }
            // The receivers catch up on the warm-up before anything is measured.
            await Task.Delay(TimeSpan.FromSeconds(2));

            var run = Stopwatch.StartNew();
            for (var i = 0; i < messages; i++)
            {
                var text = $"message {i}";
                started[text] = Stopwatch.GetTimestamp();
                await clients[0].SendAsync(talks.Id, text);
            }
            var sending = run.Elapsed;
            var delivered = await Task.Run(() => remaining.Wait(Patience));
            var total = run.Elapsed;
            var sorted = latencies.Order().ToList();
            Console.WriteLine($"  sends:     {messages / sending.TotalSeconds,8:F1} messages/s from one member ({messages} in {sending.TotalSeconds:F2} s, epochs renewed every {Protocol.Rooms.EpochPolicy.Default.MaxMessages})");
            Console.WriteLine($"  delivered: {sorted.Count / total.TotalSeconds,8:F0} decrypted deliveries/s to {clients.Count - 1} members ({sorted.Count} of {messages * (clients.Count - 1)} in {total.TotalSeconds:F2} s{(delivered ? "" : ", INCOMPLETE")})");
            if (sorted.Count > 0)
                Console.WriteLine($"  latency, send start to decrypted at each member: p50 {Percentile(sorted, 0.50):F1} ms, p99 {Percentile(sorted, 0.99):F1} ms, max {sorted[^1]:F1} ms");

            foreach (var live in connections) await live.DisposeAsync();
            foreach (var client in clients) await client.DisposeAsync();
            return delivered ? 0 : 1;
        }
        finally
        {
            foreach (var http in https) http.Dispose();
            root.Delete(recursive: true);
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static async Task<Member> InviteAsync(Member inviter, ParleyClient client, ShiftedClock clock, string email, Roles roles, string code)
    {
        var link = await new SecurityOfficer(inviter.Client, Suite).CreateEnrollmentAsync(email, roles, code);
        return await EnrollAsync(client, clock, EnrollmentLink.Parse(link.Link).Value, email, bootstrap: false);
    }

    private static async Task<Member> EnrollAsync(ParleyClient client, ShiftedClock clock, EnrollmentLink link, string email, bool bootstrap)
    {
        var store = new MemoryProfileStore();
        var enrollment = new Enrollment(client, store, Suite, ClientKind.Cli, clock);
        var pending = await Unthrottled(clock, () => enrollment.BeginAsync(link, bootstrap ? email : null));
        var totp = new Totp(Base32Encoding.ToBytes(pending.Details.Totp.Secret));
        var enrolled = await Unthrottled(clock, () => enrollment.CompleteAsync(pending, $"bench-{Guid.NewGuid():N}", email.Split('@')[0],
            totp.ComputeTotp(clock.GetUtcNow().UtcDateTime), "bench"));
        return new Member(email, client, store, enrolled);
    }

    // The server limits enrollments per address; the bench moves the server's clock past the wait instead of sleeping.
    private static async Task<T> Unthrottled<T>(ShiftedClock clock, Func<Task<T>> action)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await action();
            }
            catch (ParleyApiException e) when (e.Kind == ApiProblemKind.RateLimited && attempt < 10)
            {
                clock.Shift(e.Problem.RetryAfter ?? TimeSpan.FromMinutes(1));
            }
        }
    }

    /// <summary>The real time plus an offset the bench moves forward; timers run on real time.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        private long _offsetTicks;

        public void Shift(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
    }
}
