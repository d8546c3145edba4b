from tenants.access import AccessDenied


class DecisionError(AccessDenied):
    """A decision that cannot be taken; nothing was changed. `code` is stable, `detail` is for people.

    An access refusal from `hitl.access` (`not_found`, `forbidden`) is one kind of it.
    """


class StepUpRequired(DecisionError):
    """The decision needs a fresh second factor (hitl.services.step_up); `url` is the approval's page in the console,
    where the person shows one and decides."""

    def __init__(self, detail: str, *, url: str):
        super().__init__("step_up_required", detail)
        self.url = url
