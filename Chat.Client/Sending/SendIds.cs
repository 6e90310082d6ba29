using System.Security.Cryptography;

namespace Fleck.Chat.Client.Sending;

/// <summary>Makes send ids: 22 random characters of <c>[A-Za-z0-9_-]</c> (132 bits), inside the server's 1–64 of <c>[A-Za-z0-9_.:-]</c>.</summary>
internal static class SendIds
{
    private const int Length = 22;
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

    public static string Next() =>
        // 64 symbols: each random byte's low six bits pick one uniformly.
        string.Create(Length, RandomNumberGenerator.GetBytes(Length), static (chars, bytes) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = Alphabet[bytes[i] & 63];
            }
        });
}
