"""The console's sign-in form (UNFOLD["LOGIN"]["form"])."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from unfold.forms import AuthenticationForm


class ConsoleAuthenticationForm(AuthenticationForm):
    """Django's admin form tells a member whose password is right that it is wrong; say where they belong."""

    def confirm_login_allowed(self, user):
        if user.is_active and not user.is_staff:
            raise ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("This console is for staff; your account signs in to the chat."),
                    reverse("login"),
                    _("Sign in to the chat"),
                ),
                code="not_staff",
            )
        super().confirm_login_allowed(user)
