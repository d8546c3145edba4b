"""The consent page of a fake authorization server (Google's, Meta's, Slack's fakes): "Allow" and "Cancel" buttons
that send the browser back to the app's redirect URI as the provider does, with a code or with `error=`.

`decide(authorize_url, allow)` does what a person's click does, without a browser: the callback URL to follow."""

import html
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

DECIDE_PATH = "/_consent"


def page(title: str, asked: str, params: dict[str, str]) -> bytes:
    """The page: who asks for what, and the two buttons posting `params` and the decision to DECIDE_PATH."""
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
    )
    button = '<button name="decision" value="{0}" data-testid="consent-{0}" style="{1}">{2}</button>'
    style = "font:16px sans-serif;padding:10px 18px;margin:6px;border-radius:6px;border:1px solid #888"
    body = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title></head>"
        '<body style="font:16px sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">'
        f"<h1>{html.escape(title)}</h1><p>{html.escape(asked)}</p>"
        f'<form method="post" action="{DECIDE_PATH}">{hidden}'
        + button.format("allow", style + ";background:#1a73e8;color:#fff", "Allow")
        + button.format("cancel", style, "Cancel")
        + "</form></body></html>"
    )
    return body.encode()


def back_to(redirect_uri: str, answer: dict[str, str]) -> str:
    """`redirect_uri` with the answer added to its query, as an authorization server redirects (RFC 6749 §4.1.2)."""
    split = urlsplit(redirect_uri)
    query = urlencode([*parse_qsl(split.query), *answer.items()])
    return split._replace(query=query).geturl()


def decide(authorize_url: str, *, allow: bool = True) -> str:
    """The callback URL the fake sends the browser to after "Allow" (or "Cancel") on the page at `authorize_url`;
    an error page of the fake (a bad request) raises AssertionError with its text."""
    split = urlsplit(authorize_url)
    with httpx.Client(timeout=5) as http:
        shown = http.get(authorize_url)
        if shown.status_code != 200:
            raise AssertionError(f"the consent page refused: {shown.status_code} {shown.text}")
        form = {**dict(parse_qsl(split.query)), "decision": "allow" if allow else "cancel"}
        answer = http.post(f"{split.scheme}://{split.netloc}{DECIDE_PATH}", data=form)
    if answer.status_code != 302:
        raise AssertionError(f"the consent page's answer: {answer.status_code} {answer.text}")
    return answer.headers["location"]
