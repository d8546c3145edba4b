"""An approval's summary in each reader's language.

The summary is stored once, in the language the request was made in (`HITLApproval.language`: the words of the
message that asked, else the requester's setting); search and the history keep that text. Each reader sees it in
their own language: a reader of the request's language reads the stored words (the engine's own, or an approver's
edit), any other reader the action spec's description of the action's data, written in theirs. An action type
without a spec, or data that does not fit its schema, reads as stored.
"""

from django.conf import settings
from django.utils import translation

from agents import action_specs
from agents.understanding.language import detect
from tenants.languages import language_of

SUMMARY_LENGTH = 300  # HITLApproval.action_summary


def known_language(code: str | None) -> str:
    """`code` as one of settings.LANGUAGES ("es-mx" -> "es"); the site's language when it is none of them."""
    base = (code or "").split("-")[0].lower()
    return base if base in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE.split("-")[0]


def request_language(source_message, requested_by) -> str:
    """The language a request is made in: its message's words (English or Spanish), else the requester's setting."""
    said = detect(source_message.text) if source_message is not None else None
    return known_language(said or language_of(requested_by))


def summary_in(approval, language: str | None = None) -> str:
    """The approval's summary for a reader of `language` (None: the active one)."""
    language = known_language(language or translation.get_language())
    if approval.language and known_language(approval.language) == language:
        return approval.action_summary
    spec = action_specs.spec_for(approval.action_type)
    data = approval.action_data
    if spec is None or not isinstance(data, dict) or action_specs.shape_problem(spec, data) is not None:
        return approval.action_summary
    with translation.override(language):
        return str(spec.describe(data))[:SUMMARY_LENGTH]


def summaries(approval) -> dict[str, str]:
    """The summary in every language Walker speaks, for a message read by people of several (the console's feed)."""
    return {code: summary_in(approval, code) for code, _name in settings.LANGUAGES}
