using Vigil.Features.Runbooks;

namespace Vigil.Tests.Runbooks;

public sealed class RenderRunbookTests
{
    // axe-core's "label" rule (critical): a checkbox with no name. Markdig's task lists write one per item.
    [Fact]
    public void A_task_list_box_says_whether_it_is_done()
    {
        var html = RenderRunbook.ToHtml("- [ ] stop the writers\n- [x] take a snapshot\n");

        Assert.Contains("<input disabled=\"disabled\" type=\"checkbox\" aria-label=\"not done\" /> stop the writers", html, StringComparison.Ordinal);
        Assert.Contains("<input disabled=\"disabled\" type=\"checkbox\" checked=\"checked\" aria-label=\"done\" /> take a snapshot", html, StringComparison.Ordinal);
        Assert.Equal(2, html.Split("<input", StringSplitOptions.None).Length - 1);
    }
}
