from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from channels_app.chat import home, read_back
from tenants.privacy.audit import Origin


@login_required
def widget_demo(request):
    """A demo page that embeds the chat widget for the signed-in user."""
    return render(request, "chat/widget_demo.html", {"user": request.user})


def _column(request, shown_id: str) -> dict:
    """The column beside the thread: a page of the person's conversations (`shown_id` marked as the one shown) and
    their latest requests, as they stand now."""
    term = request.GET.get("q", "").strip()[:200]
    page, rows = home.page_of(request.user, term, request.GET.get("page"))
    approvals, more_approvals = home.latest_approvals(request.user)
    return {
        "user": request.user,
        "shown_id": shown_id,
        "term": term,
        "page": page,
        "rows": rows,
        "approvals": approvals,
        "more_approvals": more_approvals,
    }


@login_required
def member_home(request, conversation_id=None):
    """The member's own Walker: their conversations and approvals beside a full-page chat, on the conversation named
    (their own only; one of another channel is read back instead), a new one (`?new=1`), or the one still open; or,
    in the chat's place, all their requests (`?requests=all`)."""
    conversation = home.own_conversation_or_404(request.user, conversation_id) if conversation_id else None
    on_another_channel = conversation is not None and read_back.is_read_back(conversation)
    showing_requests = conversation is None and request.GET.get("requests") == "all"
    return render(
        request,
        "chat/home.html",
        {
            **_column(request, str(conversation.pk) if conversation else ""),
            "conversation": conversation,
            "starting_new": conversation is None and request.GET.get("new") == "1",
            "requests_page": (
                home.approvals_page(request.user, request.GET.get("requests_page")) if showing_requests else None
            ),
            "thread": (
                read_back.thread(conversation, reader=request.user, origin=Origin.of_request(request))
                if on_another_channel
                else None
            ),
            "read_back": on_another_channel,
            "where_to_go_on": read_back.where_to_go_on(conversation) if on_another_channel else "",
        },
    )


@login_required
def member_home_column(request):
    """The column alone, which the page fetches again when its thread changes (static/chat/walker-home.js), so the
    requests and the cards say what the thread says; `conversation` names the one the page shows."""
    return render(request, "chat/_home_column.html", _column(request, request.GET.get("conversation", "")))
