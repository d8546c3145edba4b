"""A benchmark engine: the built-in engine's answer after a fixed sleep, as a slow LLM would take.

Selected by bench.settings_variants when BENCH_ENGINE_SLEEP (seconds) is set. Never used by the product.
"""

import os
import time

from agents.engines.builtin import BuiltinEngine


class SleepyEngine(BuiltinEngine):
    def run(self, request):
        time.sleep(float(os.environ.get("BENCH_ENGINE_SLEEP", "3")))
        return super().run(request)
