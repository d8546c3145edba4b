"""Where a person lands: the console for the roles that work in it, the chat for everyone else."""

from django.shortcuts import redirect
from django.templatetags.static import static


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("admin:index" if request.user.is_staff else "chat-home")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to the icon in static/."""
    return redirect(static("favicon.svg"), permanent=True)
