"""Did it pay off reads in Spanish for an approver who chose it: the approval's section and the report."""

from datetime import date

import pytest
from django.urls import reverse

from tenants.roles import Role
from tests.factories import UserFactory
from tests.payoff.conftest import NOW, executed, figures, paris, synced
from tests.payoff.test_report import month  # noqa: F401  (the fixture)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def lucia(tenant):
    return UserFactory(tenant=tenant, role=Role.APPROVER, email="lucia@acme.test", first_name="Lucía", language="es")


def test_the_approvals_section_in_spanish(console_as, lucia, month):  # noqa: F811
    html = console_as(lucia).get(reverse("admin:hitl_hitlapproval_change", args=[month["reverted"].pk])).content
    html = html.decode()
    assert "¿Dio resultado?" in html and "7 días antes" in html and "7 días después" in html
    assert "Tokyo Launch: los 7 días antes y después del 5 de noviembre de 2026" in html
    assert "No se mantuvo: pat@acme.test lo revirtió fuera de Walker el 7 de noviembre de 2026 a las 09:00" in html
    assert "Valor de conversión" in html and "Did not hold" not in html


def test_a_running_week_in_spanish(console_as, lucia, tenant):
    campaign = synced(tenant)
    figures(campaign, date(2026, 11, 9), date(2026, 11, 19))
    change = executed(campaign, paris(2026, 11, 16, 10))
    html = console_as(lucia).get(reverse("admin:hitl_hitlapproval_change", args=[change.pk])).content.decode()
    assert "Después: 3 de 7 días por ahora" in html
    assert "Se mantiene por ahora: nada lo ha cambiado en 4 de 7 días." in html


def test_the_report_in_spanish(console_as, lucia, month):  # noqa: F811
    html = console_as(lucia).get(reverse("payoff"), {"start": "2026-11-01", "end": "2026-11-30"}).content.decode()
    for words in ("¿Dio resultado?", "Aprobadas sin editar", "Aprobadas con cambios", "Rechazadas", "Caducadas",
                  "Se mantuvieron", "Revertidas", "1 cambio: gasto", "Todas las plataformas", "Exportar CSV",
                  "Propuestas solicitadas en el intervalo"):  # fmt: skip
        assert words in html, words
    html = console_as(lucia).get(reverse("payoff"), {"group_by": "rule", "days": "0"}).content.decode()
    assert "No la presentó una regla" in html and "días: " not in html  # the grouping kept, the bad days said
    assert "Asegúrese de que este valor es mayor o igual a 1." in html
