using System.Text;
using System.Xml;

namespace Vigil.Features.StatusPage;

/// <summary>
/// The page's incidents as an Atom feed (RFC 4287: a feed has id, title and updated; each entry
/// id, title, updated, and here a link and its updates as text content), newest first.
/// </summary>
public static class StatusAtomFeed
{
    public static byte[] Render(StatusSnapshot s)
    {
        var output = new MemoryStream();
        using (var xml = XmlWriter.Create(output, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
        {
            const string Atom = "http://www.w3.org/2005/Atom";
            xml.WriteStartDocument();
            xml.WriteStartElement("feed", Atom);
            xml.WriteElementString("id", Atom, $"urn:vigil:status:{s.Page.Name}");
            xml.WriteElementString("title", Atom, $"{s.Title} incident history");
            xml.WriteElementString("updated", Atom, Time(s.UpdatedAt));
            Link(xml, Atom, "alternate", s.Url);
            Link(xml, Atom, "self", $"{s.Url}/history.atom");
            foreach (var i in s.Incidents)
            {
                xml.WriteStartElement("entry", Atom);
                xml.WriteElementString("id", Atom, $"urn:vigil:status:{s.Page.Name}:incident:{i.Id}");
                xml.WriteElementString("title", Atom, i.ResolvedAt is null ? i.Title : $"{i.Title} (resolved)");
                xml.WriteElementString("published", Atom, Time(i.OpenedAt));
                xml.WriteElementString("updated", Atom, Time(i.UpdatedAt));
                Link(xml, Atom, "alternate", $"{s.Url}/history#incident-{i.Id}");
                xml.WriteStartElement("content", Atom);
                xml.WriteAttributeString("type", "text");
                xml.WriteString(string.Join("\n", i.Updates.OrderByDescending(u => u.At)
                    .Select(u => $"{u.At:yyyy-MM-dd HH:mm} UTC {ComponentStatus.IncidentStatus(u.Status)}: {u.Body}")));
                xml.WriteEndElement();
                xml.WriteEndElement();
            }
            xml.WriteEndElement();
        }
        return output.ToArray();
    }

    private static void Link(XmlWriter xml, string ns, string rel, string href)
    {
        xml.WriteStartElement("link", ns);
        xml.WriteAttributeString("rel", rel);
        xml.WriteAttributeString("href", href);
        xml.WriteEndElement();
    }

    private static string Time(DateTimeOffset t) => XmlConvert.ToString(t.ToUniversalTime(), "yyyy-MM-dd'T'HH:mm:ss'Z'");
}
