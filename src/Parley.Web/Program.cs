using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using Parley.Protocol.Crypto;
using Parley.Protocol.Crypto.Backends;
using Parley.Web;
using Parley.Web.Classification;
using Parley.Web.Crypto;

var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");
builder.RootComponents.Add<HeadOutlet>("head::after");
builder.Services.AddScoped(_ => new HttpClient { BaseAddress = new Uri(builder.HostEnvironment.BaseAddress) });
builder.Services.AddScoped<ClassificationContext>();

// WebCrypto where the page is a secure context (https, or http on loopback); otherwise the managed
// BouncyCastle backend, which is correct everywhere but about a hundred times slower on bulk data.
ICryptoBackend backend = OperatingSystem.IsBrowser() && await WebCryptoBackend.TryCreateAsync() is { } webCrypto
    ? webCrypto
    : new BouncyCastleBackend();
builder.Services.AddSingleton(new CryptoSuite(backend));

await builder.Build().RunAsync();
