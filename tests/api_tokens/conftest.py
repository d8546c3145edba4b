"""Signing in to the API with a password: the pair of tokens, and a client that sends the access token."""

import pytest

from tests.api.test_access_matrix import _matrix, callers, rows  # noqa: F401  (the access matrix's people and rows)
from tests.factories import PASSWORD

OBTAIN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
REVOKE = "/api/v1/auth/token/revoke/"
EVERYWHERE = "/api/v1/auth/sign-out-everywhere/"


@pytest.fixture
def sign_in(api_client):
    """The answer of a password sign-in (access, refresh) for the person."""

    def obtain(user, password=PASSWORD):
        response = api_client.post(OBTAIN, {"email": user.email, "password": password}, format="json")
        assert response.status_code == 200, response.content
        return response.json()

    return obtain


@pytest.fixture
def bearer():
    """A fresh API client sending `Authorization: Bearer <access>`."""
    from rest_framework.test import APIClient

    def client(access):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        return api

    return client
