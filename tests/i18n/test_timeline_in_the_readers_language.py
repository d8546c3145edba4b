"""The approval's timeline in the reader's language: each history note is kept as its sentence and figures
(core.sentence) and told again for whoever reads it, whatever language the person who acted used; what a person
wrote (a reason) stays as they wrote it, and an erased note stays erased."""

import pytest
from django.utils import translation

from core.sentence import Sentence, told
from hitl.history import erase_notes
from hitl.services.decisions import reject
from hitl.timeline import history
from tenants.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def spanish_approver(tenant):
    return UserFactory(tenant=tenant, role=Role.APPROVER, first_name="Lucía", last_name="Gómez", language="es")


def notes(approval, language):
    with translation.override(language):
        return [entry.text for entry in history(approval)]


def test_a_decision_made_in_spanish_reads_in_english_for_an_english_reader_and_back(ask, spanish_approver):
    approval = ask()
    with translation.override("es"):  # the Spanish approver's request: their language is active
        reject(approval.pk, actor=spanish_approver, reason="Demasiado caro para esta semana")

    english, spanish = notes(approval, "en"), notes(approval, "es")

    assert english[-1] == "Rejected by Lucía Gómez: Demasiado caro para esta semana"
    assert spanish[-1] == "Rechazada por Lucía Gómez: Demasiado caro para esta semana"
    assert "(risk " in english[0] and "(riesgo " in spanish[0]  # the risk level's name is translated too
    # What is stored for the API and the exports is English, whoever's language was active.
    assert approval.history.get(event_type="rejected").description == english[-1]


def test_an_erased_note_stays_erased_in_every_language(ask, spanish_approver):
    approval = ask()
    reject(approval.pk, actor=spanish_approver, reason="Llamar a Lucía al 600 123 456")
    erase_notes(approval.history.filter(event_type="rejected").values_list("pk", flat=True))

    assert notes(approval, "es")[-1] == "La nota se borró junto con los datos personales que contenía."
    assert notes(approval, "en")[-1] == "The note was erased with the personal data it held."


def test_a_sentence_and_its_figures_told_again():
    kept = Sentence("Reminder %(number)s sent.", number=2).stored()

    with translation.override("es"):
        assert told(kept) == "Recordatorio 2 enviado."
    assert told({"text": "Reminder %(number)s sent.", "figures": {}}) is None  # a figure missing
    assert told({"figures": {}}) is None and told("Reminder 2 sent.") is None  # another shape
