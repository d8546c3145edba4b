"""The analytics API's reports through the shared cache (reports.cache).

The approval report's top approvers are cached by id only: their addresses are personal data, shown in full to the
person themselves and masked to everyone else, so a reader of a cached report has them looked up (one query by
primary key, at most TOP_APPROVERS rows). The reader who computed the report keeps the addresses it read with it.
"""

from reports import queries
from reports.cache import ACTIVITY_ROWS, APPROVAL_ROWS, cached
from tenants.models import User
from tenants.privacy.reveal import shown_email


def conversation_report(user, span: queries.Range, group_by: str, **filters) -> dict:
    return cached(
        user,
        "conversations",
        _parameters(span, group_by, filters),
        lambda: queries.conversation_report(user, span, group_by, **filters),
        reads=ACTIVITY_ROWS,
    )


def approval_report(user, span: queries.Range, group_by: str, **filters) -> dict:
    computed = {}

    def compute():
        computed["report"] = queries.approval_report(user, span, group_by, **filters)
        return _without_addresses(computed["report"])

    report = cached(user, "approvals", _parameters(span, group_by, filters), compute, reads=APPROVAL_ROWS)
    return computed.get("report") or _with_addresses(report, viewer=user)


def _parameters(span: queries.Range, group_by: str, filters: dict) -> dict:
    return {
        "start": span.start.isoformat(),
        "end": span.end.isoformat(),
        "zone": str(span.zone),
        "group_by": group_by,
        **filters,
    }


def _without_addresses(report: dict) -> dict:
    approvers = [{k: v for k, v in row.items() if k != "email"} for row in report["totals"]["top_approvers"]]
    return {**report, "totals": {**report["totals"], "top_approvers": approvers}}


def _with_addresses(report: dict, *, viewer) -> dict:
    rows = report["totals"]["top_approvers"]
    if not rows:
        return report
    emails = dict(User.objects.filter(pk__in=[row["approver_id"] for row in rows]).values_list("pk", "email"))
    emails = {str(pk): email for pk, email in emails.items()}
    approvers = [
        {
            "approver_id": row["approver_id"],
            "email": shown_email(
                emails.get(row["approver_id"], ""), own=row["approver_id"] == str(viewer.pk), revealed=False
            ),
            **{k: v for k, v in row.items() if k != "approver_id"},
        }
        for row in rows
    ]
    return {**report, "totals": {**report["totals"], "top_approvers": approvers}}
