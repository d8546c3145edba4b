"""`manage.py connect_buttons`, which `make run` prints at start: the buttons offered, and what to set for the rest."""

from io import StringIO

from django.core.management import call_command


def said(settings, **values) -> str:
    for name in ("GOOGLE_OAUTH_CLIENT_ID", "GOOGLE_OAUTH_CLIENT_SECRET", "GOOGLE_ADS_DEVELOPER_TOKEN", "META_APP_ID",
                 "META_APP_SECRET", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_SIGNING_SECRET"):  # fmt: skip
        setattr(settings, name, values.get(name, ""))
    out = StringIO()
    call_command("connect_buttons", stdout=out)
    return out.getvalue()


def test_without_settings_it_says_what_to_set_for_each_button(settings):
    out = said(settings)

    assert "Google Ads: no Connect button until you set GOOGLE_OAUTH_CLIENT_ID, GOOGLE_OAUTH_CLIENT_SECRET" in out
    assert "Meta Ads: no Connect button until you set META_APP_ID, META_APP_SECRET" in out
    assert "Slack: no Connect button until you set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_SIGNING_SECRET" in out


def test_with_the_settings_it_says_the_button_is_offered(settings):
    out = said(settings, GOOGLE_OAUTH_CLIENT_ID="id", GOOGLE_OAUTH_CLIENT_SECRET="s", GOOGLE_ADS_DEVELOPER_TOKEN="t",
               META_APP_ID="1", META_APP_SECRET="s")  # fmt: skip

    assert "Google Ads: Connect button offered" in out and "Meta Ads: Connect button offered" in out
    assert "Slack: no Connect button until you set SLACK_CLIENT_ID" in out
