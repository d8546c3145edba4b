"""The API's JSON parser: malformed, too deeply nested or unstorable input is a 400, never a 500."""

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from tenants.input_text import UnreadableInput, load_json


class SafeJSONParser(JSONParser):
    """DRF's JSONParser, with nesting bounded and NUL / lone surrogates refused (tenants.input_text)."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return load_json(stream.read().decode(encoding))
        except UnicodeDecodeError:
            raise ParseError(f"The body is not valid {encoding}.") from None
        except UnreadableInput as exc:
            raise ParseError(str(exc)) from None
