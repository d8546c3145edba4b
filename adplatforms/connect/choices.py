"""An ad account a connect flow found, to pick from; kept (as a dict) in the session until the admin picks."""

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Choice:
    account_id: str  # Google's ten digits; Meta's act_ and digits
    name: str
    currency: str = ""
    time_zone: str = ""
    manager_id: str = ""  # Google: the manager account it is reached through ("" when reached directly)

    def as_dict(self) -> dict:
        return asdict(self)
