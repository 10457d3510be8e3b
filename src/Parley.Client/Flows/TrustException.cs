using Parley.Protocol;

namespace Parley.Client.Flows;

/// <summary>The client refused to go on because something the server presented does not verify.</summary>
public sealed class TrustException(ProtocolError error) : Exception(error.Message)
{
    /// <summary>The typed reason.</summary>
    public ProtocolError Error { get; } = error;
}
