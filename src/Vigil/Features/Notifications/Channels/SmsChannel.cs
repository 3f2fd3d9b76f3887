using System.Net.Http.Headers;
using System.Text;

namespace Vigil.Features.Notifications.Channels;

/// <summary>
/// SMS through Twilio's Messages API (or a compatible one): one form POST per recipient to
/// <c>{url}/2010-04-01/Accounts/{sid}/Messages.json</c> with basic auth, the idempotency key in
/// Twilio's <c>I-Twilio-Idempotency-Token</c> header.
/// </summary>
public sealed class SmsChannel : INotificationChannel
{
    public const string TwilioUrl = "https://api.twilio.com";

    public string Type => "sms";

    public async Task<SendResult> SendAsync(ChannelDefinition channel, Notification notification, CancellationToken cancellationToken)
    {
        var token = ChannelSecret.Read(channel.AuthToken, channel.AuthTokenFile);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{channel.AccountSid}:{token}"));
        var url = $"{(channel.Url ?? TwilioUrl).TrimEnd('/')}/2010-04-01/Accounts/{Uri.EscapeDataString(channel.AccountSid!)}/Messages.json";
        var body = ChannelText.Short(channel, notification.Group);
        SendResult? last = null;
        foreach (var to in ChannelRules.Addresses(channel.To!, many: true))
        {
            var form = new FormUrlEncodedContent([new("To", to), new("From", channel.From!), new("Body", body)]);
            last = await ChannelHttp.PostAsync(url, form, headers =>
            {
                headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
                headers.Add("I-Twilio-Idempotency-Token", $"{notification.IdempotencyKey}/{to}");
            }, cancellationToken);
            if (!last.Delivered)
            {
                return last;
            }
        }
        return last ?? SendResult.Failed("no recipients");
    }
}
