using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace Vigil.Features.Access;

/// <summary>
/// Password hashing with ASP.NET Core Identity's hasher (PBKDF2-HMAC-SHA512, random salt, a
/// versioned format that can be strengthened later), and one-time passwords.
/// </summary>
public static class Passwords
{
    public const int MinimumLength = 12;

    private static readonly PasswordHasher<User> Hasher = new();

    // No look-alikes (0/O, 1/l/I), so a password read off a log can be typed.
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public static string Hash(User user, string password) => Hasher.HashPassword(user, password);

    public static bool Verify(User user, string password) =>
        user.PasswordHash is not null && Hasher.VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;

    /// <summary>20 random characters (about 116 bits), for first start and users created by an admin.</summary>
    public static string OneTimePassword() => RandomNumberGenerator.GetString(Alphabet, 20);

    /// <summary>Why a new password is refused, or null when it is acceptable.</summary>
    public static string? Weakness(string? password, string username) =>
        string.IsNullOrEmpty(password) ? "a password is required"
        : password.Length < MinimumLength ? $"must be at least {MinimumLength} characters"
        : string.Equals(password, username, StringComparison.OrdinalIgnoreCase) ? "must not be the username"
        : null;

    public static string NewSecurityStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
