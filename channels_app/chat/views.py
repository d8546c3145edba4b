from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def widget_demo(request):
    """A demo page that embeds the chat widget for the signed-in user."""
    return render(request, "chat/widget_demo.html", {"user": request.user})
