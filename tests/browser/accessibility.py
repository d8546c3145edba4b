"""axe-core in the browser tests: every WCAG 2.0/2.1 A and AA rule (colour contrast included) on the page as shown.

No rule is switched off: the approval queue, an approval, a conversation (light and dark theme) and the chat widget
pass them all. axe-core is vendored (tests/browser/vendor/axe-core, its version and licence there), checked by its
hash and injected from disk: nothing is fetched at test time.
"""

import hashlib
import json
from functools import cache
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"  # axe-core 4.14.1
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def axe_source() -> str:
    source = AXE.read_bytes()
    if hashlib.sha256(source).hexdigest() != AXE_SHA256:
        raise AssertionError(f"{AXE} is not the vendored axe-core 4.14.1 (see its README.md)")
    return source.decode()


def violations(driver) -> list[dict]:
    """axe's WCAG 2.1 A/AA violations on the current page."""
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(axe_source())
    options = {"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    script = (
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, arguments[0]).then(r => done(r.violations), e => done(String(e)));"
    )
    found = driver.execute_async_script(script, options)
    if isinstance(found, str):
        raise AssertionError(f"axe-core failed: {found}")
    return found


def report(found: list[dict]) -> str:
    """One block per rule: its impact, what it asks, and the first nodes with axe's explanation."""
    lines = []
    for violation in found:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} — {len(violation['nodes'])} nodes"
        )
        for node in violation["nodes"][:8]:
            lines.append(f"  {json.dumps(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


class AccessibilityChecks:
    """For a BrowserTestCase: `assert_accessible()` on the page the browser shows."""

    def assert_accessible(self, what: str):
        found = violations(self.driver)
        if found:
            self.fail(f"{what}: axe-core (WCAG 2.1 AA) found\n{report(found)}")

    def use_dark_theme(self):
        """The browser says it prefers dark until the test ends (the browser is shared by the class's tests)."""
        dark = {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", dark)
        self.addCleanup(self.driver.execute_cdp_cmd, "Emulation.setEmulatedMedia", {"features": []})
