using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Parley.Server.Tests.Support;

namespace Parley.Server.Tests;

/// <summary>What any HTTP client sees of a fresh server: health, OpenAPI, errors, headers and the web client.</summary>
public sealed partial class HttpSurfaceTests(SharedServer fixture) : IClassFixture<SharedServer>
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task Healthz_reports_ok_with_version_and_sqlite_storage()
    {
        using var response = await Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal("ok", root.GetProperty("status").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+", root.GetProperty("version").GetString());
        var storage = root.GetProperty("storage");
        Assert.Equal("sqlite", storage.GetProperty("provider").GetString());
        Assert.Equal("ok", storage.GetProperty("database").GetString());
        Assert.Equal("ok", storage.GetProperty("blobs").GetString());
    }

    [Fact]
    public async Task Healthz_is_readable_through_the_client_sdk()
    {
        var health = await Parley.Client.ServerHealthClient.GetAsync(Http);
        Assert.Equal("ok", health.Status);
        Assert.Equal("sqlite", health.Storage.Provider);
    }

    [Fact]
    public async Task OpenApi_document_parses_and_lists_healthz()
    {
        using var response = await Http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("3.", json.RootElement.GetProperty("openapi").GetString());
        var healthz = json.RootElement.GetProperty("paths").GetProperty("/healthz");
        Assert.True(healthz.TryGetProperty("get", out _), "/healthz has no GET operation in the OpenAPI document");
    }

    [Theory]
    [InlineData("GET", "/api/nothing-here")]
    [InlineData("GET", "/api/rooms/12/messages")]
    [InlineData("POST", "/api/nothing-here")]
    [InlineData("DELETE", "/api")]
    public async Task Unknown_api_paths_answer_404_problem_details(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        // A browser asks for HTML; the API still answers with problem details, never the web client.
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await AssertProblemAsync(response, 404);
    }

    [Fact]
    public async Task Wrong_method_answers_405_problem_details()
    {
        using var response = await Http.PostAsync("/healthz", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("GET", response.Content.Headers.Allow);
        await AssertProblemAsync(response, 405);
    }

    [Fact]
    public async Task Wrong_method_asked_for_json_answers_problem_details()
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, "/healthz");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        await AssertProblemAsync(response, 405);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/")]
    [InlineData("/api/missing")]
    [InlineData("/openapi/v1.json")]
    public async Task Responses_carry_the_security_headers(string path)
    {
        using var response = await Http.GetAsync(path);
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("same-origin", Header(response, "Cross-Origin-Opener-Policy"));
        var csp = Header(response, "Content-Security-Policy");
        Assert.Contains("default-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("'unsafe-eval'", csp.Replace("'wasm-unsafe-eval'", "", StringComparison.Ordinal));
        Assert.False(response.Headers.Contains("Server"), "the server names its software");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/selftest")]
    public async Task Web_client_index_is_served(string path)
    {
        using var response = await Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("<!DOCTYPE html>", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("_framework/blazor.webassembly", html);
    }

    [Fact]
    public async Task Web_client_framework_script_is_served()
    {
        var html = await Http.GetStringAsync("/");
        var script = BlazorScript().Match(html);
        Assert.True(script.Success, "index.html does not load a _framework/blazor.webassembly*.js script");
        using var response = await Http.GetAsync("/" + script.Value.TrimStart('.', '/'));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 1000, "the framework script is implausibly small");
    }

    [Fact]
    public async Task A_missing_static_file_is_404_not_the_web_client()
    {
        using var response = await Http.GetAsync("/_framework/does-not-exist.js");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.False(string.IsNullOrWhiteSpace(body), "empty problem details body");
        using var json = JsonDocument.Parse(body);
        Assert.Equal(status, json.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("title").GetString()));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"{name} is missing on {response.RequestMessage?.RequestUri}");

    [GeneratedRegex(@"\.?/?_framework/blazor\.webassembly(\.[a-z0-9]+)?\.js")]
    private static partial Regex BlazorScript();
}
