"""Decisions written in a message ("approve BR-123456 …" by email or WhatsApp, read by hitl.replies).

The same verbs, services, locks, levels, eligibility and audit as the admin; another tenant's
approval, or one the person may not see, is "not found", as everywhere else (hitl.access).
Returns what to tell the person, in their language.
"""

from django.utils.translation import gettext as _

from hitl.access import approvals_for
from hitl.errors import DecisionError, StepUpRequired
from hitl.notifying import told
from hitl.replies import Reply
from hitl.services import verbs
from tenants.languages import speaking
from tenants.privacy.audit import Origin


def decide_by_reply(user, reply: Reply, *, origin: Origin) -> str:
    with speaking(user):
        approval = approvals_for(user).filter(reference=reply.reference).only("pk").first()
        if approval is None:
            return _("No approval %(reference)s was found in your business; nothing changed.") % {
                "reference": reply.reference
            }
        if reply.verb == "reject" and not reply.note:
            return _("A rejection needs a reason: reply “reject %(reference)s <your reason>”. Nothing changed.") % {
                "reference": reply.reference
            }
        try:
            decided = verbs.act(reply.verb, approval.pk, actor=user, origin=origin, note=reply.note)
        except StepUpRequired as error:  # nothing decided: the console link, and why (hitl.services.step_up)
            return error.detail
        except DecisionError as error:
            return f"{reply.reference}: {error.detail}"
        return told.decision_taken(decided)
