"""No personal data leaves: what reaches BigQuery (and the NDJSON files) carries the event log's placeholders,
never an address, a number or a name."""

import json
import uuid
from datetime import date

from analytics.events import record
from tests.factories import UserFactory
from tests.warehouse.conftest import approvals_day, metrics
from warehouse import export
from warehouse.ndjson import export_ndjson

EMAIL, PHONE = "ana.garcia@example.com", "+1 415 555 0199"


def personal_events(tenant):
    person = UserFactory(tenant=tenant, email="maria.lopez@acme.test", first_name="Maria", last_name="Lopez")
    reference = str(uuid.uuid4())
    record(
        "channel_failure",
        tenant=tenant,
        user=person,
        error=f"Could not deliver to {EMAIL}",  # a value that escaped redaction upstream
        excerpt="Call me on ⟦phone 1⟧ or ⟦email 2⟧",  # sealed text, as messages and subjects are stored
        recipients=[PHONE, {"to": EMAIL}],
        reference=reference,
    )
    return person, reference


def test_what_reaches_bigquery_has_placeholders_and_no_personal_data(bigquery_fake, destination, tenant):
    person, reference = personal_events(tenant)
    metrics(tenant, message_count=3)
    approvals_day(tenant, date(2026, 11, 2), top_approvers=[{"approver_id": str(person.pk)}])
    export.export_destination(destination(tenant))

    sent = bigquery_fake.sent()
    for value in (EMAIL, PHONE, "maria.lopez@acme.test", "Maria", "Lopez", "⟦", "PRIVATE KEY"):
        assert value not in sent, value
    (row,) = bigquery_fake.rows("acme-data", "walker", "platform_events")
    assert json.loads(row["metadata"]) == {
        "error": "Could not deliver to [email]",
        "excerpt": "Call me on [phone] or [email]",
        "recipients": ["[phone]", {"to": "[email]"}],
        "reference": reference,  # ids stay as they are
    }
    assert row["user_id"] == str(person.pk)
    assert len(bigquery_fake.rows("acme-data", "walker", "conversation_metrics")) == 1
    assert len(bigquery_fake.rows("acme-data", "walker", "approval_analytics")) == 1
    # The key signs the token request; it is never sent, to Google's token address or to BigQuery.
    assert [claims["iss"] for claims in bigquery_fake.token_requests] == [
        "walker-export@acme-data.iam.gserviceaccount.com"
    ]


def test_the_ndjson_files_carry_the_same_placeholders(tenant, tmp_path):
    personal_events(tenant)
    export_ndjson(tmp_path)
    written = (tmp_path / "platform_events.ndjson").read_text()
    for value in (EMAIL, PHONE, "maria.lopez@acme.test", "⟦"):
        assert value not in written, value
    assert "Call me on [phone] or [email]" in json.loads(json.loads(written)["metadata"])["excerpt"]
