from tenants.access import AccessDenied


class DecisionError(AccessDenied):
    """A decision that cannot be taken; nothing was changed. `code` is stable, `detail` is for people.

    An access refusal from `hitl.access` (`not_found`, `forbidden`) is one kind of it.
    """
