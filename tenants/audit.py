"""Recording who viewed personal data. One row per view; revealing unmasked data is a separate, high record."""

from tenants.models import AccessLog


def may_see_pii(user, tenant) -> bool:
    """django-guardian's view_pii on that tenant (superusers hold every permission)."""
    return tenant is not None and user.has_perm("tenants.view_pii", tenant)


def _record(request, *, tenant, action, revealed: bool, object_type: str, object_id: str, object_repr: str):
    return AccessLog.objects.create(
        tenant=tenant,
        actor=request.user,
        actor_email=request.user.email,
        action=AccessLog.Action.PII_ACCESSED if revealed else action,
        sensitivity=AccessLog.Sensitivity.HIGH if revealed else AccessLog.Sensitivity.NORMAL,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        path=request.get_full_path()[:500],
        ip_address=request.META.get("REMOTE_ADDR"),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


def record_access(request, obj, *, tenant, revealed: bool = False) -> AccessLog:
    return _record(
        request,
        tenant=tenant,
        action=AccessLog.Action.VIEWED,
        revealed=revealed,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj),
    )


def record_export(request, model, *, tenant, revealed: bool = False) -> AccessLog:
    """One record per CSV export of personal data (a reveal of unmasked data is high sensitivity)."""
    return _record(
        request,
        tenant=tenant,
        action=AccessLog.Action.EXPORTED,
        revealed=revealed,
        object_type=model._meta.label_lower,
        object_id="export",
        object_repr=f"CSV export of {model._meta.verbose_name_plural}",
    )
