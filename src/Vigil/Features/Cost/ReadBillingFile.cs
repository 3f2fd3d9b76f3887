using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Vigil.Configuration;

namespace Vigil.Features.Cost;

/// <summary>
/// Reads a billing file into <see cref="CostLine"/>s, or every problem in it as <c>file:line</c> with the
/// column and the reason. Two formats:
/// <list type="bullet">
/// <item><c>focus</c>: a CSV export in the FinOps Open Cost and Usage Specification (FOCUS 1.x) column set.
/// Per the spec's column definitions (https://focus.finops.org/focus-specification/): <c>BilledCost</c> is a
/// decimal in <c>BillingCurrency</c> (an ISO 4217 code); <c>ChargePeriodStart</c> is inclusive and
/// <c>ChargePeriodEnd</c> exclusive, both ISO 8601 date-times in UTC; <c>ServiceName</c> names the offering;
/// <c>Tags</c> is a JSON object of key-value pairs. These five are required here; <c>ProviderName</c>,
/// <c>ResourceId</c>, <c>ResourceName</c>, <c>ServiceCategory</c>, <c>RegionName</c>, <c>SubAccountName</c>,
/// <c>ChargeCategory</c> and <c>Tags</c> are read when present, the other FOCUS columns are ignored.</item>
/// <item><c>simple</c>: a <c>provider,item,monthly_cost</c> list (seed 003's "$161/month" bill; <c>item</c> may be
/// left out, then the provider is the item), each item
/// charged over the whole of the given month.</item>
/// </list>
/// Only <see cref="Currency"/> amounts are accepted: the series is <c>vigil_cost_usd</c>.
/// </summary>
public static class ReadBillingFile
{
    public const string Focus = "focus";
    public const string Simple = "simple";
    public const string Currency = "USD";
    /// <summary>At most this many problems are reported; a file with more is still rejected whole.</summary>
    public const int MaxErrors = 20;

    public static readonly IReadOnlyList<string> FocusRequired = ["BilledCost", "BillingCurrency", "ChargePeriodStart", "ChargePeriodEnd", "ServiceName"];
    private static readonly string[] FocusOptional = ["ProviderName", "ResourceId", "ResourceName", "ServiceCategory", "RegionName", "SubAccountName", "ChargeCategory", "Tags"];
    public static readonly IReadOnlyList<string> SimpleRequired = ["provider", "monthly_cost"];
    private static readonly string[] SimpleOptional = ["item"];

    public sealed record Result(string Format, IReadOnlyList<CostLine> Lines, IReadOnlyList<FieldError> Errors);

    /// <summary>The format of a file whose format was not given: FOCUS when its header has <c>BilledCost</c>.</summary>
    public static string Detect(string text)
    {
        var firstLine = text.AsSpan()[..Math.Max(0, text.AsSpan().IndexOfAny('\r', '\n') is var end and >= 0 ? end : text.Length)];
        return firstLine.Contains("BilledCost", StringComparison.OrdinalIgnoreCase) ? Focus : Simple;
    }

    /// <param name="month">The first day of the month a simple list is billed for; with FOCUS, the month every row must fall in.</param>
    public static Result Read(string file, string text, string format, DateTimeOffset? month)
    {
        var errors = new List<FieldError>();
        var lines = new List<CostLine>();
        var options = CsvReaderOptions.Default with
        {
            Separator = ',',
            TrackLineNumbers = true,
            TrimWhitespace = true,
            MalformedData = CsvMalformedDataHandling.Throw,
        };
        try
        {
            using var csv = CsvReader.FromText(text, options);
            var headers = csv.Headers.Select(h => h.Trim()).ToList();
            var required = format == Focus ? FocusRequired : SimpleRequired;
            var columns = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var name in required.Concat(format == Focus ? FocusOptional : SimpleOptional))
            {
                // FOCUS names are case-sensitive PascalCase; the simple list's header is forgiving ("Monthly Cost").
                var index = format == Focus ? headers.IndexOf(name) : headers.FindIndex(h => Normalize(h) == Normalize(name));
                if (index >= 0)
                {
                    columns[name] = index;
                }
                else if (required.Contains(name))
                {
                    errors.Add(new($"{file}:1", $"{name}: the required column is missing (a {format} file needs {string.Join(", ", required)})"));
                }
            }
            if (errors.Count > 0)
            {
                return new(format, [], errors);
            }
            while (csv.Read() && errors.Count < MaxErrors)
            {
                var at = $"{file}:{csv.LineNumber}";
                string? Field(string name) => columns.TryGetValue(name, out var i) && i < csv.FieldCount && csv.GetString(i) is { Length: > 0 } value ? value : null;
                var line = format == Focus ? ReadFocusRow(Field, at, errors) : ReadSimpleRow(Field, at, month!.Value, errors);
                if (line is not null)
                {
                    line.FileLine = (int)csv.LineNumber;
                    if (format == Focus && month is { } m && (line.ChargePeriodStart < m || line.ChargePeriodEnd > m.AddMonths(1)))
                    {
                        errors.Add(new(at, $"ChargePeriodStart: the charge period {line.ChargePeriodStart:yyyy-MM-dd} to {line.ChargePeriodEnd:yyyy-MM-dd} is outside the month {m:yyyy-MM} being imported"));
                        continue;
                    }
                    lines.Add(line);
                }
            }
        }
        catch (CsvFormatException e)
        {
            errors.Add(new($"{file}:{Math.Max(1, e.LineNumber)}", $"not valid CSV: {e.Message}"));
        }
        if (errors.Count == 0 && lines.Count == 0)
        {
            errors.Add(new($"{file}:2", "the file has a header but no rows"));
        }
        return new(format, errors.Count == 0 ? lines : [], errors);
    }

    private static string Normalize(string header) => header.Replace(" ", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    private static CostLine? ReadFocusRow(Func<string, string?> field, string at, List<FieldError> errors)
    {
        var count = errors.Count;
        var cost = Amount(field("BilledCost"), "BilledCost", at, errors);
        var currency = field("BillingCurrency");
        if (currency is null)
        {
            errors.Add(new(at, "BillingCurrency: is required"));
        }
        else if (!string.Equals(currency, Currency, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new(at, $"BillingCurrency: \"{currency}\" is not {Currency}, the only currency Vigil's cost series (vigil_cost_usd) hold"));
        }
        var start = Time(field("ChargePeriodStart"), "ChargePeriodStart", at, errors);
        var end = Time(field("ChargePeriodEnd"), "ChargePeriodEnd", at, errors);
        if (start is not null && end is not null && end <= start)
        {
            errors.Add(new(at, "ChargePeriodEnd: must be after ChargePeriodStart (the end is exclusive)"));
        }
        var service = field("ServiceName");
        if (service is null)
        {
            errors.Add(new(at, "ServiceName: is required"));
        }
        var tags = Tags(field("Tags"), at, errors);
        if (errors.Count > count)
        {
            return null;
        }
        return new CostLine
        {
            BilledCost = cost!.Value,
            BillingCurrency = Currency,
            ChargePeriodStart = start!.Value,
            ChargePeriodEnd = end!.Value,
            ServiceName = Limit(service!, 200)!,
            ProviderName = Limit(field("ProviderName"), 200),
            ResourceId = Limit(field("ResourceId"), 1000),
            ResourceName = Limit(field("ResourceName"), 500),
            ServiceCategory = Limit(field("ServiceCategory"), 200),
            RegionName = Limit(field("RegionName"), 200),
            SubAccountName = Limit(field("SubAccountName"), 500),
            ChargeCategory = Limit(field("ChargeCategory"), 64),
            Tags = tags,
        };
    }

    private static CostLine? ReadSimpleRow(Func<string, string?> field, string at, DateTimeOffset month, List<FieldError> errors)
    {
        var count = errors.Count;
        var provider = field("provider");
        if (provider is null)
        {
            errors.Add(new(at, "provider: is required"));
        }
        var item = field("item") ?? provider;
        // "$50" as people write it in a bill.
        var cost = Amount(field("monthly_cost")?.TrimStart('$'), "monthly_cost", at, errors);
        if (errors.Count > count)
        {
            return null;
        }
        return new CostLine
        {
            BilledCost = cost!.Value,
            BillingCurrency = Currency,
            ChargePeriodStart = month,
            ChargePeriodEnd = month.AddMonths(1),
            ProviderName = Limit(provider, 200),
            ServiceName = Limit(item!, 200)!,
        };
    }

    private static decimal? Amount(string? text, string column, string at, List<FieldError> errors)
    {
        if (text is null)
        {
            errors.Add(new(at, $"{column}: is required"));
            return null;
        }
        // FOCUS numeric values: an optional sign, digits, a '.' decimal point, optional exponent; no thousands separators.
        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            errors.Add(new(at, $"{column}: \"{text}\" is not a number (write 12.34, with a '.' and no thousands separator)"));
            return null;
        }
        return value;
    }

    private static DateTimeOffset? Time(string? text, string column, string at, List<FieldError> errors)
    {
        if (text is null)
        {
            errors.Add(new(at, $"{column}: is required"));
            return null;
        }
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            errors.Add(new(at, $"{column}: \"{text}\" is not an ISO 8601 date-time (write 2026-11-01T00:00:00Z)"));
            return null;
        }
        return value;
    }

    /// <summary>FOCUS <c>Tags</c>: a JSON object; values other than strings (numbers, booleans) are kept as their text.</summary>
    private static string? Tags(string? text, string at, List<FieldError> errors)
    {
        if (text is null)
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new(at, "Tags: is not a JSON object"));
                return null;
            }
            var tags = document.RootElement.EnumerateObject()
                .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(), StringComparer.Ordinal);
            return JsonSerializer.Serialize(tags);
        }
        catch (JsonException e)
        {
            errors.Add(new(at, $"Tags: not valid JSON: {e.Message.Split(" Path:")[0]}"));
            return null;
        }
    }

    private static string? Limit(string? text, int length) => text is { } t && t.Length > length ? t[..length] : text;
}
