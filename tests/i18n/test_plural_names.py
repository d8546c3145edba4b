"""Every model names its plural in both languages (issue 50, point 6): Django glues an "s" to a singular that has no
plural of its own, which read "Conversacións", "Agente de IAs" and "Palabra clave objetivos" on every page."""

import re

import pytest
from django.apps import apps
from django.utils import translation

WALKER_APPS = ("tenants", "conversations", "agents", "hitl", "adplatforms", "channels_app", "alerts", "analytics",
               "reports", "briefs", "warehouse", "core")  # fmt: skip
GLUED = re.compile(r"[nlrdzjóáéíú]s$")  # "conversacións", "elección de motors", as Django made them
MODELS = [model for model in apps.get_models() if model.__module__.split(".")[0] in WALKER_APPS]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_the_model_names_its_plural_in_both_languages(model):
    assert "verbose_name_plural" in model._meta.original_attrs, "Django would glue an 's' to the singular"
    with translation.override("en"):
        english = str(model._meta.verbose_name_plural)
    with translation.override("es"):
        spanish = str(model._meta.verbose_name_plural)
    assert spanish != english, "not translated"
    assert not GLUED.search(spanish), "a Spanish plural adds 'es' after a consonant"
