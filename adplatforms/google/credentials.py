"""The Google credentials a connection uses: its own (typed in the manual form), else the installation's. A
connection made by "Connect Google Ads" stores only its refresh token and the OAuth client id that issued it; the
developer token and the client secret stay in the settings, so rotating them there reaches every such connection."""

from django.conf import settings


def developer_token(connection) -> str:
    return connection.developer_token or settings.GOOGLE_ADS_DEVELOPER_TOKEN


def client_secret(connection) -> str:
    """The installation's secret only for the installation's client: another client's refresh token needs its own."""
    if connection.client_secret:
        return connection.client_secret
    installed = settings.GOOGLE_OAUTH_CLIENT_ID and connection.client_id == settings.GOOGLE_OAUTH_CLIENT_ID
    return settings.GOOGLE_OAUTH_CLIENT_SECRET if installed else ""
