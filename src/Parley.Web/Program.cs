using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using Parley.Client.Api;
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

// One HTTP client for the whole app: fetch sends the HttpOnly session cookie to this origin, and
// SessionWatch notices when the server refuses the session.
var watch = new SessionWatch { InnerHandler = new HttpClientHandler() };
var http = new HttpClient(watch) { BaseAddress = new Uri(builder.HostEnvironment.BaseAddress) };
builder.Services.AddSingleton(watch);
builder.Services.AddSingleton(http);
builder.Services.AddSingleton(new ParleyClient(http));
builder.Services.AddSingleton<IProfileStore, BrowserProfileStore>();
builder.Services.AddSingleton<WebSession>();
builder.Services.AddSingleton<StepUpPrompt>();
builder.Services.AddSingleton<Parley.Web.Rooms.WebRooms>();
builder.Services.AddScoped<ClassificationContext>();

// WebCrypto where the page is a secure context (https, or http on loopback); otherwise the managed
// BouncyCastle backend, which is correct everywhere but about a hundred times slower on bulk data.
ICryptoBackend backend = await WebCryptoBackend.TryCreateAsync() is { } webCrypto ? webCrypto : new BouncyCastleBackend();
builder.Services.AddSingleton(new CryptoSuite(backend));
await BrowserInterop.LoadAsync();

var host = builder.Build();
// A reload keeps the session cookie; find out whether the server still honours it before the first screen.
await host.Services.GetRequiredService<WebSession>().StartAsync();
await host.RunAsync();
