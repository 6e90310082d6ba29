namespace Fleck.Chat.Scaling;

/// <summary>The backplane cannot answer right now (e.g. Redis is down).</summary>
public sealed class BackplaneUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BackplaneUnavailableException(string message, Exception? inner = null) : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public BackplaneUnavailableException() : base("The chat backplane is unavailable.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public BackplaneUnavailableException(string message) : base(message)
    {
    }
}
