from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from channels_app.chat import home


@login_required
def widget_demo(request):
    """A demo page that embeds the chat widget for the signed-in user."""
    return render(request, "chat/widget_demo.html", {"user": request.user})


@login_required
def member_home(request, conversation_id=None):
    """The member's own Walker: their conversations and approvals beside a full-page chat, on the conversation named
    (their own only), a new one (`?new=1`), or the one still open."""
    conversation = home.own_conversation_or_404(request.user, conversation_id) if conversation_id else None
    term = request.GET.get("q", "").strip()[:200]
    page, rows = home.page_of(request.user, term, request.GET.get("page"))
    return render(
        request,
        "chat/home.html",
        {
            "user": request.user,
            "conversation": conversation,
            "starting_new": conversation is None and request.GET.get("new") == "1",
            "term": term,
            "page": page,
            "rows": rows,
            "approvals": home.own_approvals(request.user),
        },
    )
