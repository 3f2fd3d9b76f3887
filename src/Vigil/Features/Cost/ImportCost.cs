using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;

namespace Vigil.Features.Cost;

/// <summary>
/// <c>POST /api/cost/imports?format=focus|simple&amp;month=2026-11&amp;source=aws&amp;file=bill.csv</c>, the body the
/// CSV file (<c>vigil cost import FILE</c> and the console's upload form call the same <see cref="ImportAsync"/>).
/// A file with any error imports nothing: the answer names each <c>file:line</c>, the column and the reason.
/// An import replaces the earlier imports of the same source whose charge period overlaps its own, in the
/// same transaction, so importing a month again (a corrected export) does not count it twice.
/// </summary>
public static class ImportCost
{
    public const long MaxBytes = 32 * 1024 * 1024;

    public sealed record ImportView(long Id, string Source, string Format, string? FileName, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, int Lines, decimal Total, int Replaced, DateTimeOffset ImportedAt);

    public sealed record Outcome(ImportView? Import, IReadOnlyList<FieldError> Errors);

    public static async Task<IResult> Handle(HttpRequest http, string? format, string? month, string? source, string? file, VigilDbContext db, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (http.ContentLength is > MaxBytes)
        {
            return Hosting.Problems.Field("body", $"the file is larger than {MaxBytes / 1024 / 1024} MB");
        }
        using var reader = new StreamReader(http.Body);
        var text = await reader.ReadToEndAsync(cancellationToken);
        var outcome = await ImportAsync(db, audit, text, file, format, month, source, clock.GetUtcNow(), cancellationToken);
        return outcome.Import is { } import
            ? TypedResults.Created($"/api/cost/report?month={import.PeriodStart:yyyy-MM}", import)
            : Hosting.Problems.Validation(outcome.Errors);
    }

    /// <summary>Checks and imports one file; nothing is written unless every row is good.</summary>
    public static async Task<Outcome> ImportAsync(
        VigilDbContext db, AuditLog audit, string text, string? file, string? format, string? month, string? source, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var name = string.IsNullOrWhiteSpace(file) ? "upload.csv" : Path.GetFileName(file.Trim());
        if (string.IsNullOrWhiteSpace(text))
        {
            return new(null, [new("body", "the file is empty: send the CSV as the request body (Content-Type: text/csv)")]);
        }
        var chosen = string.IsNullOrWhiteSpace(format) || format == "auto" ? ReadBillingFile.Detect(text) : format;
        if (chosen is not (ReadBillingFile.Focus or ReadBillingFile.Simple))
        {
            return new(null, [new("format", $"\"{format}\" is not focus or simple")]);
        }
        DateTimeOffset? first = null;
        if (month is not null)
        {
            if (!DescribeCostMonth.TryParseMonth(month, out var parsed))
            {
                return new(null, [new("month", $"\"{month}\" is not a month: write 2026-11")]);
            }
            first = parsed;
        }
        else if (chosen == ReadBillingFile.Simple)
        {
            // A simple list is a month's bill: the current one unless told.
            first = CostSpend.MonthOf(now);
        }
        if (source is { Length: > 200 })
        {
            return new(null, [new("source", "at most 200 characters")]);
        }
        var read = ReadBillingFile.Read(name, text, chosen, first);
        if (read.Errors.Count > 0)
        {
            return new(null, read.Errors);
        }
        var lines = read.Lines;
        var start = first ?? lines.Min(l => l.ChargePeriodStart);
        var end = first?.AddMonths(1) ?? lines.Max(l => l.ChargePeriodEnd);
        var providers = lines.Select(l => l.ProviderName).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var from = string.IsNullOrWhiteSpace(source) ? (providers.Count > 0 && chosen == ReadBillingFile.Focus ? string.Join('+', providers) : chosen) : source.Trim();
        from = from.Length > 200 ? from[..200] : from;

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var replaced = await db.Set<CostImport>().Where(i => i.Source == from && i.PeriodStart < end && i.PeriodEnd > start).Select(i => i.Id).ToListAsync(cancellationToken);
        if (replaced.Count > 0)
        {
            await db.Set<CostLine>().Where(l => replaced.Contains(l.ImportId)).ExecuteDeleteAsync(cancellationToken);
            await db.Set<CostImport>().Where(i => replaced.Contains(i.Id)).ExecuteDeleteAsync(cancellationToken);
        }
        var import = new CostImport
        {
            Source = from,
            Format = chosen,
            FileName = name.Length > 500 ? name[..500] : name,
            PeriodStart = start,
            PeriodEnd = end,
            Lines = lines.Count,
            Total = lines.Sum(l => l.BilledCost),
            ImportedAt = now,
            ImportedBy = audit.Record("import", "cost", from, new { format = chosen, file = name, period_start = start, period_end = end, lines = lines.Count, total = lines.Sum(l => l.BilledCost), replaced }).Username,
        };
        db.Add(import);
        await db.SaveChangesAsync(cancellationToken);
        foreach (var line in lines)
        {
            line.ImportId = import.Id;
        }
        db.AddRange(lines);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return new(View(import, replaced.Count), []);
    }

    public static ImportView View(CostImport i, int replaced = 0) =>
        new(i.Id, i.Source, i.Format, i.FileName, i.PeriodStart, i.PeriodEnd, i.Lines, i.Total, replaced, i.ImportedAt);

    /// <summary><c>GET /api/cost/imports</c>: the imports, newest first.</summary>
    public static async Task<IResult> List(VigilDbContext db, CancellationToken cancellationToken)
    {
        var imports = await db.Set<CostImport>().AsNoTracking().OrderByDescending(i => i.Id).Take(200).ToListAsync(cancellationToken);
        return TypedResults.Ok(imports.Select(i => View(i)).ToList());
    }
}
