using System.Runtime.InteropServices.JavaScript;
using System.Runtime.Versioning;

namespace Parley.Web.Browser;

/// <summary>The functions of <c>wwwroot/js/parley-browser.js</c>: local storage, WebAuthn, and a description of this browser.</summary>
[SupportedOSPlatform("browser")]
internal static partial class BrowserInterop
{
    public const string ModuleName = "parley-browser";

    // Resolved by the runtime relative to _framework/, where dotnet.js lives.
    public const string ModuleUrl = "../js/parley-browser.js";

    /// <summary>Loads the module; call once before anything else here.</summary>
    public static Task LoadAsync() => JSHost.ImportAsync(ModuleName, ModuleUrl);

    [JSImport("storageGet", ModuleName)]
    public static partial string? StorageGet(string key);

    [JSImport("storageSet", ModuleName)]
    public static partial void StorageSet(string key, string value);

    [JSImport("storageRemove", ModuleName)]
    public static partial void StorageRemove(string key);

    [JSImport("createCredential", ModuleName)]
    public static partial Task<string> CreateCredential(string optionsJson);

    [JSImport("getAssertion", ModuleName)]
    public static partial Task<string> GetAssertion(string optionsJson);

    [JSImport("webAuthnAvailable", ModuleName)]
    public static partial bool WebAuthnAvailable();

    [JSImport("describeBrowser", ModuleName)]
    public static partial string DescribeBrowser();
}
