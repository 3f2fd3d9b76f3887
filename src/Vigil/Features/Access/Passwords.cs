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
        : IsRepetitive(password) ? "must not be one character or a short pattern repeated (\"aaaaaaaaaaaa\", \"abcabcabcabc\", \"123456789012\")"
        : IsCommon(password, username) ? "is too common: it is, or is built on, a password attackers try first"
        : null;

    /// <summary>
    /// Words that the most-used passwords are built on (NCSC's and SecLists' top lists), matched after
    /// lowercasing and stripping digits, symbols and spaces, so "Password2024!" and "qwerty123456" count.
    /// </summary>
    private static readonly HashSet<string> CommonWords = new(StringComparer.Ordinal)
    {
        "password", "passw0rd", "passwort", "motdepasse", "contrasena", "qwerty", "qwertyuiop", "qwertz", "azerty", "asdfgh", "asdfghjkl",
        "zxcvbnm", "qazwsx", "qwe", "abc", "abcdef", "iloveyou", "letmein", "welcome", "admin", "administrator", "root", "changeme",
        "secret", "monkey", "dragon", "football", "baseball", "soccer", "sunshine", "princess", "shadow", "master", "superman",
        "batman", "trustno", "starwars", "whatever", "freedom", "hello", "helloworld", "login", "test", "testtest", "guest", "default",
        "vigil", "pass", "passpass",
    };

    private static bool IsCommon(string password, string username)
    {
        var letters = new string(password.ToLowerInvariant().Where(char.IsLetter).ToArray());
        return CommonWords.Contains(letters) || (letters.Length > 0 && letters == new string(username.ToLowerInvariant().Where(char.IsLetter).ToArray()));
    }

    /// <summary>Few distinct characters, a short block repeated, or a run up or down the alphabet or digits.</summary>
    private static bool IsRepetitive(string password)
    {
        if (password.Distinct().Count() <= 3)
        {
            return true;
        }
        for (var size = 1; size <= password.Length / 2; size++)
        {
            var block = password[..size];
            if (Enumerable.Range(0, password.Length).All(i => password[i] == block[i % size]))
            {
                return true;
            }
        }
        var steps = Enumerable.Range(1, password.Length - 1).Select(i => password[i] - password[i - 1]).ToList();
        return steps.All(d => d is 1 or -9) || steps.All(d => d is -1 or 9);
    }

    public static string NewSecurityStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
