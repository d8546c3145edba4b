class DecisionError(Exception):
    """A decision that cannot be taken; nothing was changed. `code` is stable, `detail` is for people."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail
