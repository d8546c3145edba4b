"""Recording who read personal data. One row per read, through any door; a reveal of unmasked data is a
separate, high-sensitivity record that carries the reason the reader gave."""

from dataclasses import dataclass

from tenants.fields import hash_of
from tenants.identity.signin.step_up import Factor
from tenants.models import AccessLog

REASON_MAX = 500


def may_see_pii(user, tenant) -> bool:
    """django-guardian's view_pii on that tenant (superusers hold every permission)."""
    return tenant is not None and user.has_perm("tenants.view_pii", tenant)


@dataclass(frozen=True)
class Origin:
    """Where a read or a decision came from: a request's path and client, or a socket's, and `via`, the door it
    came through (a decision's `hitl.models.HITLDecision.Via` value; empty for a read), and `factor`, the second
    factor the session showed last (`tenants.identity.signin.step_up`; None for links, replies and tokens)."""

    path: str = ""
    ip: str | None = None
    user_agent: str = ""
    via: str = ""
    factor: Factor | None = None
    refs: tuple = ()  # (name, id) pairs the door knows the decision by, e.g. Slack's team, user and message

    @classmethod
    def of_request(cls, request, *, via: str = "", factor: Factor | None = None) -> "Origin":
        meta = request.META
        return cls(request.get_full_path(), meta.get("REMOTE_ADDR"), meta.get("HTTP_USER_AGENT", ""), via, factor)

    @classmethod
    def of_scope(cls, scope, *, via: str = "") -> "Origin":
        headers = dict(scope.get("headers") or [])
        client = scope.get("client") or (None,)
        return cls(scope.get("path", ""), client[0], headers.get(b"user-agent", b"").decode("latin-1"), via)


def _create(actor, *, tenant, origin: Origin, action, revealed, reason, object_type, object_id, object_repr, ids=()):
    return AccessLog.objects.create(
        tenant=tenant,
        actor=actor,
        actor_ref=hash_of("email", actor.email),
        action=AccessLog.Action.PII_ACCESSED if revealed else action,
        sensitivity=AccessLog.Sensitivity.HIGH if revealed else AccessLog.Sensitivity.NORMAL,
        object_type=object_type,
        object_id=object_id,
        object_ids=list(ids),
        object_repr=object_repr[:200],
        reason=reason[:REASON_MAX],
        path=origin.path[:500],
        ip_address=origin.ip,
        user_agent=origin.user_agent[:300],
    )


def record(actor, rows, *, tenant, origin: Origin, revealed=False, reason="", model=None) -> AccessLog:
    """One record of `actor` reading `rows`: a single object, or a list (named by their ids in one record)."""
    if isinstance(rows, list | tuple):
        model = model or type(rows[0])
        return _create(
            actor, tenant=tenant, origin=origin, action=AccessLog.Action.VIEWED, revealed=revealed, reason=reason,
            object_type=model._meta.label_lower, object_id="list", ids=[str(row.pk) for row in rows],
            object_repr=f"List of {len(rows)} {model._meta.verbose_name_plural}",
        )  # fmt: skip
    return _create(
        actor, tenant=tenant, origin=origin, action=AccessLog.Action.VIEWED, revealed=revealed, reason=reason,
        object_type=rows._meta.label_lower, object_id=str(rows.pk), object_repr=str(rows),
    )  # fmt: skip


def record_access(request, obj, *, tenant, revealed: bool = False, reason: str = "") -> AccessLog:
    return record(request.user, obj, tenant=tenant, origin=Origin.of_request(request), revealed=revealed, reason=reason)


def record_export(request, model, *, tenant, revealed: bool = False, reason: str = "") -> AccessLog:
    """One record per CSV export of personal data (a reveal of unmasked data is high sensitivity)."""
    return _create(
        request.user, tenant=tenant, origin=Origin.of_request(request), action=AccessLog.Action.EXPORTED,
        revealed=revealed, reason=reason, object_type=model._meta.label_lower, object_id="export",
        object_repr=f"CSV export of {model._meta.verbose_name_plural}",
    )  # fmt: skip
