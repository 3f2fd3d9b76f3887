using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Vigil.Configuration;
using Vigil.Data;
using Vigil.Features.Access;
using Vigil.Features.Catalog;
using Vigil.Features.Notifications.Channels;
using Vigil.Features.Notifications.Delivery;

namespace Vigil.Features.OnCall.Escalation;

/// <summary>
/// The channels pages go out on, made on demand for the outbox sender: <c>page:user:ID</c> is a
/// user's contact method (by its id), <c>page:contact:NAME:TYPE</c> an external contact's email,
/// sms, slack or webhook. Email and SMS borrow the server and account of <c>paging.email_channel</c>
/// and <c>paging.sms_channel</c>; Slack and webhook post to the contact's own URL. Every page
/// channel shows the page's own title and text (carried in the message as the labels
/// <c>page_title</c> and <c>page_text</c>), not the alert layout.
/// </summary>
public sealed class PageChannels(IServiceScopeFactory scopes, SecretProtector secrets) : IChannelSource, IConfigConsumer
{
    public const string UserPrefix = "page:user:";
    public const string ContactPrefix = "page:contact:";
    public const string TitleLabel = "page_title";
    public const string TextLabel = "page_text";

    private VigilConfig config = new();

    public VigilConfig Config => config;

    public Task ApplyAsync(VigilConfig config, CancellationToken cancellationToken)
    {
        this.config = config;
        return Task.CompletedTask;
    }

    public static string ForUser(int contactMethodId) => UserPrefix + contactMethodId.ToString(CultureInfo.InvariantCulture);

    public static string ForContact(string name, string type) => $"{ContactPrefix}{name}:{type}";

    public async ValueTask<ChannelDefinition?> FindAsync(string name, CancellationToken cancellationToken)
    {
        if (name.StartsWith(UserPrefix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(UserPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
            var method = await db.Set<ContactMethod>().AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
            return method is null ? null : Make(name, method.Type, secrets.Unprotect(method.ProtectedAddress));
        }
        if (name.StartsWith(ContactPrefix, StringComparison.Ordinal) && name.LastIndexOf(':') is var colon && colon > ContactPrefix.Length)
        {
            var contact = name[ContactPrefix.Length..colon];
            var type = name[(colon + 1)..];
            var addresses = await ExternalAddressesAsync(contact, cancellationToken);
            return addresses.FirstOrDefault(a => a.Type == type) is { } found ? Make(name, type, found.Address) : null;
        }
        return null;
    }

    /// <summary>An external contact's methods: from <c>contacts:</c>, else from the first catalog service contact of that name.</summary>
    public async Task<List<(string Type, string Address)>> ExternalAddressesAsync(string name, CancellationToken cancellationToken)
    {
        if (config.Contacts.FirstOrDefault(c => c.Name == name) is { } configured)
        {
            return Methods(configured.Email, configured.Phone, configured.Slack, configured.Webhook);
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<VigilDbContext>();
        var services = await db.Set<Service>().AsNoTracking().Where(s => s.Contacts.Any(c => c.Name == name)).OrderBy(s => s.Name).ToListAsync(cancellationToken);
        var contact = services.SelectMany(s => s.Contacts).FirstOrDefault(c => c.Name == name);
        return contact is null ? [] : Methods(contact.Email, contact.Phone, null, null);
    }

    private static List<(string Type, string Address)> Methods(string? email, string? phone, string? slack, string? webhook)
    {
        var methods = new List<(string, string)>();
        if (phone is not null)
        {
            methods.Add(("sms", phone));
        }
        if (email is not null)
        {
            methods.Add(("email", email));
        }
        if (slack is not null)
        {
            methods.Add(("slack", slack));
        }
        if (webhook is not null)
        {
            methods.Add(("webhook", webhook));
        }
        return methods;
    }

    private ChannelDefinition? Make(string name, string type, string address)
    {
        ChannelDefinition? channel = type switch
        {
            "email" => Borrow(config.Paging.EmailChannel, address),
            "sms" => Borrow(config.Paging.SmsChannel, address),
            "slack" or "webhook" => new ChannelDefinition { Type = type, Url = address },
            _ => null,
        };
        if (channel is null)
        {
            return null;
        }
        channel.Name = name;
        channel.Title = $"{{{{ $labels.{TitleLabel} }}}}";
        channel.Text = $"{{{{ $labels.{TextLabel} }}}}";
        channel.Fallback = null;
        channel.SendResolved = false;
        return channel;
    }

    /// <summary>A copy of the configured email or SMS channel that sends to <paramref name="to"/> only.</summary>
    private ChannelDefinition? Borrow(string? channelName, string to)
    {
        if (channelName is null || config.Channels.FirstOrDefault(c => c.Name == channelName) is not { } configured)
        {
            return null;
        }
        var copy = JsonSerializer.Deserialize<ChannelDefinition>(JsonSerializer.Serialize(configured))!;
        copy.To = to;
        return copy;
    }
}
