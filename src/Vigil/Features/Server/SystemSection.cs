namespace Vigil.Features.Server;

/// <summary>
/// A part of the console's System page that another slice owns (the cluster's replicas and leases,
/// metrics forwarding, the outbound policy): the page lists every registered section in
/// <see cref="Order"/> without depending on the slices that fill them.
/// </summary>
public interface ISystemSection
{
    int Order { get; }

    Task<IReadOnlyList<SystemTable>> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A table on the System page: <paramref name="Id"/> names it for links and tests; <paramref name="Empty"/>
/// is shown when it has no rows; <paramref name="Action"/> is a button under it while it has rows.
/// </summary>
public sealed record SystemTable(string Id, string Title, string About, IReadOnlyList<string> Columns, IReadOnlyList<SystemRow> Rows, string Empty = "none", SystemAction? Action = null);

/// <summary>
/// A button for callers with <paramref name="Permission"/>; <paramref name="RunAsync"/> gets the
/// request's services (the same handler as the API's) and returns the message to show.
/// </summary>
public sealed record SystemAction(string Label, string Permission, Func<IServiceProvider, CancellationToken, Task<string>> RunAsync);

/// <summary>One row; a <paramref name="Badge"/> (<c>up</c> or <c>down</c>) is drawn in the first cell.</summary>
public sealed record SystemRow(IReadOnlyList<string> Cells, string? Badge = null, string? BadgeText = null);
