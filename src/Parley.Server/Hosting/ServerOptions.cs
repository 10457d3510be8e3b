namespace Parley.Server.Hosting;

/// <summary>How a Parley server is started.</summary>
public sealed record ServerOptions
{
    /// <summary>Default listening address: loopback, plain HTTP.</summary>
    public const string DefaultUrls = "http://127.0.0.1:5080";

    /// <summary>The data folder: <c>parley.db</c>, <c>blobs/</c> and the server's keys live here.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Addresses to listen on, separated by ';'. Port 0 picks a free port.</summary>
    public string Urls { get; init; } = DefaultUrls;

    /// <summary>PEM certificate for https addresses.</summary>
    public string? TlsCertificatePath { get; init; }

    /// <summary>PEM private key for <see cref="TlsCertificatePath"/>.</summary>
    public string? TlsKeyPath { get; init; }

    /// <summary>Log format on the console.</summary>
    public LogFormat LogFormat { get; init; } = LogFormat.Json;

    /// <summary>Lowest level written to the console log.</summary>
    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Information;

    /// <summary>How the ledger's sequencer batches.</summary>
    public Ledger.LedgerOptions Ledger { get; init; } = new();

    /// <summary>The server's clock: session expiry, TOTP steps, lockouts and rate limits read it, so tests can move it.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The access policy's settings; null reads <c>DATA/policy.json</c>, or the defaults when it does not exist.</summary>
    public Policy.Engine.PolicySettings? Policy { get; init; }

    /// <summary>Limits of documents: the most bytes per version, open uploads per person, how long an unused upload lives.</summary>
    public Documents.DocumentsOptions Documents { get; init; } = new();
}

/// <summary>Console log formats.</summary>
public enum LogFormat
{
    /// <summary>One JSON object per line, for collectors.</summary>
    Json,
    /// <summary>Plain text, for people.</summary>
    Text,
}
