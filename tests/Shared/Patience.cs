namespace Vigil.Tests.Support;

/// <summary>
/// Bounds on real-time waits (a child process starting, a sender delivering on its own thread).
/// A bound only decides how long a test waits before it fails, never what it asserts, so it is
/// generous: on a loaded 2-core CI machine a child process can take many times longer than on a
/// quiet one. <c>VIGIL_TEST_PATIENCE</c> scales every bound (default 4).
/// </summary>
public static class Patience
{
    public static double Factor { get; } =
        double.TryParse(Environment.GetEnvironmentVariable("VIGIL_TEST_PATIENCE"), System.Globalization.CultureInfo.InvariantCulture, out var factor) && factor > 0 ? factor : 4;

    public static TimeSpan Of(TimeSpan bound) => bound * Factor;
}
