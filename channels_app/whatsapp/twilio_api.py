"""The Twilio REST client and how its errors are sorted: worth retrying, or final."""

from django.conf import settings
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from core.sending import TransientSendError


class TransientTwilioError(TransientSendError):
    """Twilio answered 429 or 5xx, or could not be reached: try again later."""


class TwilioSendError(Exception):
    """Twilio refused the message for good; `code` is Twilio's error code (e.g. 63016)."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"Twilio error {code}: {detail}" if code else detail)
        self.code = code


def client() -> Client:
    """A REST client; tests replace this function to point the SDK's HTTP at a local server."""
    http = TwilioHttpClient(timeout=settings.TWILIO_TIMEOUT)
    return Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=http)


def create_message(**fields) -> str:
    """`Client.messages.create(**fields)`; returns the message SID."""
    try:
        return client().messages.create(**fields).sid
    except TwilioRestException as error:
        if error.status == 429 or error.status >= 500:
            raise TransientTwilioError(f"Twilio answered HTTP {error.status}") from error
        raise TwilioSendError(str(error.code or error.status), error.msg or "refused") from error
    except OSError as error:  # requests' connection errors and timeouts are OSErrors
        raise TransientTwilioError(f"Twilio unreachable: {type(error).__name__}") from error
