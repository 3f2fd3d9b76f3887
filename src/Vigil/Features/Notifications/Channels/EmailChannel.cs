using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Vigil.Features.Notifications.Channels;

/// <summary>
/// Email over SMTP (MailKit): a <c>multipart/alternative</c> message with a text and an HTML part
/// in the incident layout, subject = the title. The Message-ID is derived from the idempotency
/// key, so a retried message carries the same id and mail clients show it once.
/// </summary>
public sealed class EmailChannel(TimeProvider clock) : INotificationChannel
{
    public string Type => "email";

    public async Task<SendResult> SendAsync(ChannelDefinition channel, Notification notification, CancellationToken cancellationToken)
    {
        var group = notification.Group;
        var message = new MimeMessage
        {
            Subject = ChannelText.Title(channel, group),
            Date = clock.GetUtcNow(),
            MessageId = MessageId(notification.IdempotencyKey),
            Body = new MultipartAlternative
            {
                new TextPart("plain") { Text = ChannelText.Text(channel, group) },
                new TextPart("html") { Text = ChannelText.Html(channel, group) },
            },
        };
        message.From.Add(MailboxAddress.Parse(channel.From!));
        message.To.AddRange(ChannelRules.Addresses(channel.To!, many: true).Select(MailboxAddress.Parse));
        message.Headers.Add("Idempotency-Key", notification.IdempotencyKey);

        var (host, port) = HostAndPort(channel.Smarthost!);
        using var smtp = new SmtpClient { LocalDomain = channel.Hello, Timeout = (int)channel.Timeout.TotalMilliseconds };
        try
        {
            // Alertmanager: port 465 is implicit TLS; otherwise STARTTLS, required unless require_tls is false.
            var security = port == 465 ? SecureSocketOptions.SslOnConnect : channel.RequireTls ? SecureSocketOptions.StartTls : SecureSocketOptions.StartTlsWhenAvailable;
            await smtp.ConnectAsync(host, port, security, cancellationToken);
            var password = ChannelSecret.Read(channel.AuthPassword, channel.AuthPasswordFile);
            if (!string.IsNullOrEmpty(channel.AuthUsername))
            {
                await smtp.AuthenticateAsync(channel.AuthUsername, password ?? "", cancellationToken);
            }
            var answer = await smtp.SendAsync(message, cancellationToken);
            await smtp.DisconnectAsync(true, cancellationToken);
            return new SendResult(true, 250, answer, null);
        }
        catch (SmtpCommandException e)
        {
            return new SendResult(false, (int)e.StatusCode, e.Message, $"SMTP {(int)e.StatusCode}: {e.Message}");
        }
        catch (Exception e) when (e is SmtpProtocolException or AuthenticationException or ServiceNotConnectedException or IOException or System.Net.Sockets.SocketException or NotSupportedException or TimeoutException)
        {
            return SendResult.Failed(e.Message);
        }
    }

    public static string MessageId(string idempotencyKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..32] + "@vigil";

    private static (string Host, int Port) HostAndPort(string smarthost)
    {
        var colon = smarthost.LastIndexOf(':');
        return (smarthost[..colon].Trim('[', ']'), int.Parse(smarthost[(colon + 1)..], CultureInfo.InvariantCulture));
    }
}
