"""Every secret field of the console (tokens, keys, client secrets, the Slack webhook URL) is a box to type in, in
the console's look like the fields around it, and never shows what is stored (the browser measures them:
tests/browser/test_admin_console.py)."""

import re

import pytest
from unfold.widgets import INPUT_CLASSES, TEXTAREA_CLASSES

from adplatforms.admin.connections import ConnectionForm
from adplatforms.models import SECRET_FIELDS
from agents.admin import EngineChoiceForm
from channels_app.slack.admin import SECRETS, SlackWorkspaceForm
from tenants.admin import TenantForm
from tenants.identity.admin_identity_providers import IdentityProviderForm
from warehouse.admin import DestinationForm
from warehouse.models import WarehouseDestination

SECRET_INPUTS = [
    (EngineChoiceForm, ["api_key"]),
    (IdentityProviderForm, ["client_secret"]),
    (TenantForm, ["action_webhook_secret", "slack_webhook_url"]),
    (ConnectionForm, list(SECRET_FIELDS)),
    (SlackWorkspaceForm, list(SECRETS)),
]


@pytest.mark.parametrize(("form_class", "names"), SECRET_INPUTS, ids=lambda v: getattr(v, "__name__", ""))
def test_a_secret_field_is_a_console_input_that_never_renders_its_value(form_class, names):
    for name in names:
        html = form_class.base_fields[name].widget.render(name, "s3cr3t-stored")
        assert 'type="password"' in html and "s3cr3t-stored" not in html, html
        classes = set(re.search(r'class="([^"]*)"', html).group(1).split())
        assert set(INPUT_CLASSES) <= classes, f"{form_class.__name__}.{name} lacks the console's input look"


def test_the_warehouse_key_is_a_console_text_area_that_never_renders_the_stored_key():
    """A service account key is a JSON document, so a text area, not a password input; it keeps the same promise."""
    stored = WarehouseDestination(project="acme-data", dataset_name="walker", service_account_key="s3cr3t-stored")
    html = str(DestinationForm(instance=stored)["service_account_key"])
    assert "<textarea" in html and "s3cr3t-stored" not in html, html
    assert 'rows="6"' in html and 'autocomplete="off"' in html, html
    classes = set(re.search(r'class="([^"]*)"', html).group(1).split())
    assert set(TEXTAREA_CLASSES) <= classes, "the warehouse key lacks the console's text area look"
