"""Where a person lands: the console for the roles that work in it, the chat for everyone else."""

from django.shortcuts import redirect


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect("admin:index" if request.user.is_staff else "widget-demo")
