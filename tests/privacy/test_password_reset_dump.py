"""A password reset through allauth's pages leaves no address in clear in the database: allauth's reset token used
to fill its EmailAddress table with the person's address (docs/identity.md, "Forgot password"). Searched in
`pg_dump --data-only` of the test database, as tests/privacy/test_database_dump.py does."""

import pytest
from allauth.account.models import EmailAddress

from tests.factories import UserFactory
from tests.invitations.conftest import link_in, path_of
from tests.privacy.test_database_dump import _dump, _tables_holding

NEW_PASSWORD = "a-brand-new-passphrase"


@pytest.mark.usefixtures("postgres_only")
def test_a_password_reset_leaves_no_address_in_clear_in_a_database_dump(client, tenant, sent_emails):
    person = UserFactory(tenant=tenant, email="forgetful.person@acme.test")
    client.post("/accounts/password/reset/", {"email": person.email})
    asked = client.get(path_of(link_in(sent_emails[-1])))
    done = client.post(asked["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)

    assert EmailAddress.objects.count() == 0
    assert _tables_holding(_dump(), "forgetful.person") == set()
