"""A brief as an email: a text part and a 600 px HTML part with inline styles, readable in dark mode."""

from django.utils.html import escape

from briefs.content import BriefContent

WRAPPER = (
    '<!doctype html><html><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width,initial-scale=1">'
    '<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">'
    "<style>@media (prefers-color-scheme: dark){.wb-body{background:#111827!important;color:#f3f4f6!important}"
    ".wb-card{background:#1f2937!important;color:#f3f4f6!important}.wb-muted{color:#9ca3af!important}}</style>"
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


def _row(html: str) -> str:
    return f'<tr><td style="padding:8px 24px">{html}</td></tr>'


def as_text(brief: BriefContent, unsubscribe_url: str) -> str:
    lines = [brief.greeting, ""]
    for section in brief.sections:
        lines += [section.title.upper(), *section.lines]
        if section.recommendation:
            lines.append(f"Recommendation: {section.recommendation}")
        lines.append("")
    if brief.pending:
        lines.append("WAITING FOR YOU")
        for item in brief.pending:
            lines += [
                f"{item.reference}: {item.summary}",
                f"  Approve: {item.approve_url}",
                f"  Reject: {item.reject_url}",
            ]
        lines.append("")
    if brief.decided:
        lines += ["DECIDED SINCE YESTERDAY", *brief.decided, ""]
    lines.append(f"Stop these emails: {unsubscribe_url}")
    return "\n".join(lines)


def as_html(brief: BriefContent, unsubscribe_url: str) -> str:
    rows = [_row(f'<h1 style="margin:0;font-size:20px">{escape(brief.greeting)}</h1>')]
    for section in brief.sections:
        body = "".join(f'<p style="margin:4px 0">{escape(line)}</p>' for line in section.lines)
        if section.recommendation:
            body += f'<p style="margin:8px 0 0;font-weight:600">→ {escape(section.recommendation)}</p>'
        rows.append(_row(f'<h2 style="margin:8px 0 4px;font-size:17px">{escape(section.title)}</h2>{body}'))
    if brief.pending:
        items = "".join(
            f'<p style="margin:8px 0 2px">{escape(i.reference)}: {escape(i.summary)}</p>'
            + BUTTON.format(url=escape(i.approve_url), colour="#15803d", label="Approve")
            + BUTTON.format(url=escape(i.reject_url), colour="#b91c1c", label="Reject")
            for i in brief.pending
        )
        rows.append(_row(f'<h2 style="margin:8px 0 4px;font-size:17px">Waiting for you</h2>{items}'))
    if brief.decided:
        items = "".join(f'<p style="margin:4px 0">{escape(line)}</p>' for line in brief.decided)
        rows.append(_row(f'<h2 style="margin:8px 0 4px;font-size:17px">Decided since yesterday</h2>{items}'))
    footer = f'<a href="{escape(unsubscribe_url)}" style="color:inherit">Stop these daily emails</a>'
    rows.append(_row(f'<p class="wb-muted" style="margin:16px 0 0;font-size:13px;color:#6b7280">{footer}</p>'))
    return WRAPPER.replace("{rows}", "".join(rows))
