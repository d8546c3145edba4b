"""The demo tenant's labels and canned responses, so the inbox's filters and the reply box's `/` have something to
show on a fresh `make run`."""

from conversations.models import CannedResponse, Label
from tenants.demo import demo_seeder

LABELS = {  # name: colour
    "Billing": "#d97706",
    "Campaign question": "#2563eb",
    "VIP": "#7c3aed",
}
CANNED = {  # shortcut: text (its variables: conversations.canned_text.VARIABLES)
    "hello": "Hi {first_name}, thanks for getting in touch. I'm looking at this now and will come back to you shortly.",
    "budget": "Budget changes go to an approver first, {first_name}: you'll see the decision here once it's made.",
    "handback": "I'll hand you back to our assistant now. Write here any time and someone from {company} will help.",
}


@demo_seeder
def seed_inbox_tools(tenant, log) -> None:
    labels = sum(
        Label.objects.get_or_create(tenant=tenant, name=name, defaults={"colour": colour})[1]
        for name, colour in LABELS.items()
    )
    canned = sum(
        CannedResponse.objects.get_or_create(tenant=tenant, shortcut=shortcut, defaults={"body": body})[1]
        for shortcut, body in CANNED.items()
    )
    log(f"  {'created' if labels else 'exists '}  {len(LABELS)} labels, {len(CANNED)} canned responses"
        + (f" ({labels} and {canned} new)" if labels or canned else ""))  # fmt: skip
