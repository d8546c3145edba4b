"""Form widgets in the console's look."""

from unfold.widgets import UnfoldAdminPasswordWidget


def secret_input(autocomplete: str = "new-password") -> UnfoldAdminPasswordWidget:
    """A write-only secret (a token, a key, a client secret): never rendered back, and boxed and sized like the
    console's other fields. Django's own PasswordInput carries none of unfold's classes: on a console page it is a
    borderless, transparent strip with nothing to show where to type."""
    return UnfoldAdminPasswordWidget(attrs={"autocomplete": autocomplete}, render_value=False)
