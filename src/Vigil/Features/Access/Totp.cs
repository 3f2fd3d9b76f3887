using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Vigil.Features.Access;

/// <summary>
/// Time-based one-time passwords as RFC 6238 defines them with the defaults every authenticator
/// app uses: HMAC-SHA-1, 30-second steps from the Unix epoch, 6 digits (RFC 4226's truncation).
/// </summary>
public static class Totp
{
    public const int StepSeconds = 30;

    public static long StepAt(DateTimeOffset time) => time.ToUnixTimeSeconds() / StepSeconds;

    /// <summary>RFC 4226 section 5.3: HMAC the big-endian counter, take 31 bits at the offset the last nibble names.</summary>
    public static string Code(byte[] key, long step, int digits = 6)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> hash = stackalloc byte[20];
        HMACSHA1.HashData(key, counter, hash);
        var offset = hash[^1] & 0x0f;
        var binary = (BinaryPrimitives.ReadInt32BigEndian(hash[offset..]) & 0x7fffffff) % (int)Math.Pow(10, digits);
        return binary.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    /// <summary>
    /// The step the code belongs to, allowing one step of clock drift either way, or null. Steps at
    /// or before <paramref name="lastUsedStep"/> are refused, so a code cannot be used twice.
    /// </summary>
    public static long? Verify(byte[] key, string? code, DateTimeOffset now, long lastUsedStep)
    {
        code = code?.Replace(" ", "", StringComparison.Ordinal);
        if (code is not { Length: 6 } || !code.All(char.IsAsciiDigit))
        {
            return null;
        }
        var current = StepAt(now);
        for (var step = current - 1; step <= current + 1; step++)
        {
            if (step > lastUsedStep && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Code(key, step)), Encoding.ASCII.GetBytes(code)))
            {
                return step;
            }
        }
        return null;
    }

    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(20);

    /// <summary>The <c>otpauth://</c> URI authenticator apps read from the QR code (Google Authenticator's key-uri format).</summary>
    public static string Uri(string issuer, string account, byte[] key) =>
        $"otpauth://totp/{System.Uri.EscapeDataString(issuer)}:{System.Uri.EscapeDataString(account)}?secret={Base32(key)}&issuer={System.Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits=6&period={StepSeconds}";

    /// <summary>RFC 4648 base32 without padding, as authenticator apps expect the secret.</summary>
    public static string Base32(byte[] data)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var output = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                output.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            output.Append(alphabet[(buffer << (5 - bits)) & 31]);
        }
        return output.ToString();
    }
}
