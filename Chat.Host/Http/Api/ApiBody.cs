using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Fleck.Chat.Host.Http.Api;

/// <summary>Reads a request body, refusing one past the limit without reading more than one byte beyond it.</summary>
internal static class ApiBody
{
    /// <summary>Outcome of <see cref="ReadAsync"/>: the body, or null when it is larger than allowed.</summary>
    public readonly record struct Result(byte[]? Body)
    {
        public bool TooLarge => Body is null;
    }

    public static async Task<Result> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        // A declared length says it at once; a chunked body (no length) is counted as it arrives.
        if (request.ContentLength > limit)
        {
            return new Result(null);
        }
        using var body = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(8 * 1024);
        try
        {
            var stream = request.Body;
            while (true)
            {
                var want = (int)Math.Min(buffer.Length, limit + 1L - body.Length);
                // Kestrel's body stream honours the token, so this await ends only once the read is
                // over: no read can still be writing into the buffer when it goes back to the pool.
                var read = await stream.ReadAsync(buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return new Result(body.ToArray());
                }
                body.Write(buffer, 0, read);
                if (body.Length > limit)
                {
                    return new Result(null);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
