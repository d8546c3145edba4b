"""A brief as an email: a text part and a 600 px HTML part with inline styles, readable in dark mode."""

from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from briefs.content import BriefContent

WRAPPER = (
    '<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width,initial-scale=1">'
    '<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">'
    "<style>@media (prefers-color-scheme: dark){.wb-body{background:#111827!important;color:#f3f4f6!important}"
    ".wb-card{background:#1f2937!important;color:#f3f4f6!important}.wb-muted{color:#9ca3af!important}}"
    "@media (max-width:480px){.wb-card{padding:8px 0!important;border-radius:0!important}"
    ".wb-row{padding:6px 16px!important}}</style>"
    "</head>"
    '<body class="wb-body" style="margin:0;padding:16px 0;background:#f3f4f6;color:#111827;'
    'font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5">'
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">'
    '<table role="presentation" class="wb-card" width="600" cellpadding="0" cellspacing="0" '
    'style="width:100%;max-width:600px;background:#ffffff;border-radius:8px;padding:24px">'
    "{rows}</table></td></tr></table></body></html>"
)
BUTTON = (
    '<a href="{url}" style="display:inline-block;padding:8px 14px;margin:4px 8px 4px 0;border-radius:6px;'
    'background:{colour};color:#ffffff;text-decoration:none;font-weight:600">{label}</a>'
)


def subject(local_date) -> str:
    """The brief's subject, in the active language: its reader's, under tenants.languages.speaking."""
    return _("Your Walker brief for %(day)s") % {"day": date_format(local_date, "l j F")}


def preferences_url() -> str:
    return settings.PUBLIC_BASE_URL + reverse("briefs:preferences")


def _row(html: str) -> str:
    return f'<tr><td class="wb-row" style="padding:8px 24px">{html}</td></tr>'


def as_text(brief: BriefContent, unsubscribe_url: str) -> str:
    lines = [brief.greeting, ""]
    if brief.summary:
        lines += [brief.summary, ""]
    for section in brief.sections:
        lines += [section.title.upper(), *section.lines]
        if section.recommendation:
            lines.append(_("Recommendation: %(text)s") % {"text": section.recommendation})
        lines.append("")
    if brief.pending:
        lines.append(_("Waiting for you").upper())
        for item in brief.pending:
            lines += [
                f"{item.reference}: {item.summary}",
                f"  {_('Approve')}: {item.approve_url}",
                f"  {_('Reject')}: {item.reject_url}",
            ]
        lines.append("")
    if brief.decided:
        lines += [_("Decided since yesterday").upper(), *brief.decided, ""]
    lines.append(f"{_('Change the time or the sections')}: {preferences_url()}")
    lines.append(f"{_('Stop these daily emails')}: {unsubscribe_url}")
    return "\n".join(lines)


def as_html(brief: BriefContent, unsubscribe_url: str) -> str:
    rows = [_row(f'<h1 style="margin:0;font-size:20px">{escape(brief.greeting)}</h1>')]
    if brief.summary:
        rows.append(_row(f'<p style="margin:0">{escape(brief.summary)}</p>'))
    for section in brief.sections:
        body = "".join(f'<p style="margin:4px 0">{escape(line)}</p>' for line in section.lines)
        if section.recommendation:
            body += f'<p style="margin:8px 0 0;font-weight:600">→ {escape(section.recommendation)}</p>'
        rows.append(_row(f'<h2 style="margin:8px 0 4px;font-size:17px">{escape(section.title)}</h2>{body}'))
    if brief.pending:
        items = "".join(
            f'<p style="margin:8px 0 2px">{escape(i.reference)}: {escape(i.summary)}</p>'
            + BUTTON.format(url=escape(i.approve_url), colour="#15803d", label=escape(_("Approve")))
            + BUTTON.format(url=escape(i.reject_url), colour="#b91c1c", label=escape(_("Reject")))
            for i in brief.pending
        )
        rows.append(_row(f'<h2 style="margin:8px 0 4px;font-size:17px">{escape(_("Waiting for you"))}</h2>{items}'))
    if brief.decided:
        items = "".join(f'<p style="margin:4px 0">{escape(line)}</p>' for line in brief.decided)
        title = escape(_("Decided since yesterday"))
        rows.append(_row(f'<h2 style="margin:8px 0 4px;font-size:17px">{title}</h2>{items}'))
    change, stop = escape(_("Change the time or the sections")), escape(_("Stop these daily emails"))
    footer = (
        f'<a href="{escape(preferences_url())}" style="color:inherit">{change}</a> · '
        f'<a href="{escape(unsubscribe_url)}" style="color:inherit">{stop}</a>'
    )
    rows.append(_row(f'<p class="wb-muted" style="margin:16px 0 0;font-size:13px;color:#6b7280">{footer}</p>'))
    return WRAPPER.replace("{lang}", get_language() or "en").replace("{rows}", "".join(rows))
