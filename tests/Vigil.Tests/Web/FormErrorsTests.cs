using Vigil.Configuration;
using Vigil.Hosting;
using Vigil.Web;

namespace Vigil.Tests.Web;

public class FormErrorsTests
{
    [Fact]
    public void A_validation_answer_is_split_by_field_and_what_no_input_shows_is_left_for_the_summary()
    {
        var errors = new FormErrors();
        errors.Set(Problems.Validation([new FieldError("layers[0].users", "unknown user \"zed\""), new FieldError("name", "required"), new FieldError("time_zone", "unknown zone")]));

        Assert.Equal(["unknown user \"zed\""], errors.For("layers").Select(e => e.Reason));
        Assert.Equal(["required"], errors.For("name").Select(e => e.Reason));
        Assert.Empty(errors.For("layer"));
        Assert.Equal(["time_zone"], errors.Unplaced("name", "layers").Select(e => e.Path));
    }

    [Fact]
    public void A_conflict_names_its_field_or_falls_back_to_the_given_one()
    {
        var errors = new FormErrors();
        errors.Set(Problems.StateConflict("status", "already resolved"));
        Assert.Equal([new FieldError("status", "already resolved")], errors.All);

        errors.Set(Problems.Conflict("a service named web exists"), "name");
        Assert.Equal([new FieldError("name", "a service named web exists")], errors.All);
    }
}
