using System.Globalization;

namespace Vigil.Features.Slos;

/// <summary>How the console writes SLO figures.</summary>
public static class SloFormat
{
    public static string Percent(double? fraction) =>
        fraction is { } f ? (f * 100).ToString("0.###", CultureInfo.InvariantCulture) + " %" : "no data";

    public static string Burn(double? rate) =>
        rate is { } r ? r.ToString("0.##", CultureInfo.InvariantCulture) + "x" : "no data";
}
