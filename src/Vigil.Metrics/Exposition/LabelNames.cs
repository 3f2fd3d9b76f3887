namespace Vigil.Metrics.Exposition;

/// <summary>Prometheus's rules for metric and label names.</summary>
public static class LabelNames
{
    /// <summary>Whether <paramref name="name"/> matches <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    public static bool IsValidLabelName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether <paramref name="name"/> matches <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    public static bool IsValidMetricName(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or ':'))
            {
                return false;
            }
        }
        return true;
    }
}
