"""The benchmarks' Django app, installed by bench.settings_variants only when BENCH_ENGINE_SLEEP is set.

It registers bench.sleepy_engine once the apps are loaded, in daphne and in the Celery worker alike:
importing the engines from the settings module itself loads models before Django is ready.
"""

from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "bench"
    label = "walker_bench"

    def ready(self):
        from agents.engines import ENGINES

        ENGINES["sleepy"] = "bench.sleepy_engine.SleepyEngine"
