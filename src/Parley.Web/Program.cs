using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using Parley.Client.Api;
using Parley.Client.Ledger;
using Parley.Client.Profiles;
using Parley.Protocol.Crypto;
using Parley.Protocol.Crypto.Backends;
using Parley.Web;
using Parley.Web.Browser;
using Parley.Web.Classification;
using Parley.Web.Crypto;
using Parley.Web.Session;

if (!OperatingSystem.IsBrowser()) throw new PlatformNotSupportedException("Parley.Web runs in a browser.");

var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");
builder.RootComponents.Add<HeadOutlet>("head::after");

// One HTTP client for the whole app: fetch sends the HttpOnly session cookie to this origin,
// SessionWatch notices when the server refuses the session, and LedgerGuard stops every request
// once the server's ledger is refused.
var watch = new SessionWatch { InnerHandler = new HttpClientHandler() };
var guard = new LedgerGuard { InnerHandler = watch };
var http = new HttpClient(guard) { BaseAddress = new Uri(builder.HostEnvironment.BaseAddress) };
builder.Services.AddSingleton(watch);
builder.Services.AddSingleton(guard);
builder.Services.AddSingleton(http);
builder.Services.AddSingleton(new ParleyClient(http));
builder.Services.AddSingleton<IProfileStore, BrowserProfileStore>();
builder.Services.AddSingleton<ICheckpointStore, BrowserCheckpointStore>();
builder.Services.AddSingleton<WebLedger>();
builder.Services.AddSingleton<WebSession>();
builder.Services.AddSingleton<StepUpPrompt>();
builder.Services.AddSingleton<Parley.Web.Rooms.WebRooms>();
builder.Services.AddSingleton<Parley.Web.Documents.PrintFonts>();
builder.Services.AddScoped<ClassificationContext>();

// WebCrypto where the page is a secure context (https, or http on loopback); otherwise the managed
// BouncyCastle backend, which is correct everywhere but about a hundred times slower on bulk data.
ICryptoBackend backend = await WebCryptoBackend.TryCreateAsync() is { } webCrypto ? webCrypto : new BouncyCastleBackend();
builder.Services.AddSingleton(new CryptoSuite(backend));
await BrowserInterop.LoadAsync();

var host = builder.Build();
// A profile that follows this server's ledger checks it before anything else, so a forked or rolled-back
// server is refused before the session is even asked about.
var ledger = host.Services.GetRequiredService<WebLedger>();
await ledger.SyncAsync();
// A reload keeps the session cookie; find out whether the server still honours it before the first screen.
if (ledger.Refusal is null) await host.Services.GetRequiredService<WebSession>().StartAsync();
await host.RunAsync();
