"""The import contracts of pyproject.toml ([tool.importlinter]: the layers of docs/architecture.md and the channels'
independence) hold for Walker's code, and would fail on an import that breaks them.

CI runs only pytest, so this is where the contracts are enforced there; `make lint` runs the same `lint-imports`.
"""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path, *arguments: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *arguments], cwd=cwd, env=environment, capture_output=True, text=True
    )


def test_walkers_imports_keep_the_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def contract_modules(contract: dict) -> list[str]:
    """The modules a contract names: each of its layers' (split on | and :) or its `modules`."""
    return [
        name.strip()
        for entry in contract.get("layers", contract.get("modules", []))
        for name in re.split("[|:]", entry)
    ]


def stand_ins(tmp_path: Path, imports: dict[str, str]) -> Path:
    """Empty packages named as Walker's root packages (and the three channels), checked against Walker's own
    contracts: hitl uses the delivery registry, as Walker's does, and `imports` adds lines to a package."""
    walker = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    named = [name for contract in walker["contracts"] for name in contract_modules(contract)]
    for package in [*walker["root_packages"], *named]:
        folder = tmp_path.joinpath(*package.split("."))
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "__init__.py").write_text(imports.get(package, ""))
    (tmp_path / "conversations" / "delivery.py").write_text("")
    (tmp_path / "hitl" / "told.py").write_text("import conversations.delivery\n")
    lines = ["[tool.importlinter]", f"root_packages = {walker['root_packages']!r}"]
    for contract in walker["contracts"]:
        lines.append("[[tool.importlinter.contracts]]")
        lines += [f"{key} = {value!r}" for key, value in contract.items()]
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_an_upward_import_breaks_the_layers(tmp_path):
    result = lint_imports(stand_ins(tmp_path, {"analytics": "import conversations\n"}))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "imports only the apps below it BROKEN" in result.stdout
    assert "analytics -> conversations" in result.stdout


def test_core_may_import_nothing_of_walkers(tmp_path):
    result = lint_imports(stand_ins(tmp_path, {"core": "import tenants\n"}))
    assert result.returncode == 1 and "core -> tenants" in result.stdout, result.stdout + result.stderr


def test_the_delivery_registry_is_the_one_upward_import_hitl_may_make(tmp_path):
    allowed = lint_imports(stand_ins(tmp_path / "allowed", {}))
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    beyond = lint_imports(stand_ins(tmp_path / "beyond", {"hitl": "import conversations\n"}))
    assert beyond.returncode == 1 and "hitl -> conversations" in beyond.stdout, beyond.stdout + beyond.stderr


def test_one_channel_importing_another_breaks_their_independence(tmp_path):
    result = lint_imports(stand_ins(tmp_path, {"channels_app.email": "import channels_app.whatsapp\n"}))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "do not import each other BROKEN" in result.stdout


# tenants' wiring: it assembles tenancy, identity and privacy, so it stands outside their contract (pyproject.toml).
TENANTS_WIRING = {"admin", "api", "apps", "urls", "signals", "tasks", "management", "migrations"}


def test_every_module_of_tenants_is_in_a_part_or_the_wiring():
    walker = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (inside,) = [c for c in walker["contracts"] if c["name"].startswith("Inside tenants")]
    named = {name.removeprefix("tenants.") for name in contract_modules(inside)}
    found = {path.stem for path in (ROOT / "tenants").iterdir() if path.name != "__init__.py"}
    found -= {"__pycache__"}
    assert found - named - TENANTS_WIRING == set(), "name it in tenancy's layer or in TENANTS_WIRING"
    assert named | TENANTS_WIRING >= found and not named & TENANTS_WIRING


def test_tenancy_importing_identity_or_privacy_breaks_the_parts(tmp_path):
    for source, target in [("tenants.roles", "tenants.identity"), ("tenants.models", "tenants.privacy")]:
        result = lint_imports(stand_ins(tmp_path / source, {source: f"import {target}\n"}))
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"{source} is not allowed to import {target}" in result.stdout


def test_identity_may_not_import_privacy_but_privacy_may_import_identity(tmp_path):
    upward = lint_imports(stand_ins(tmp_path / "up", {"tenants.identity": "import tenants.privacy\n"}))
    assert upward.returncode == 1 and "tenants.identity is not allowed to import tenants.privacy" in upward.stdout
    downward = lint_imports(
        stand_ins(tmp_path / "down", {"tenants.privacy": "import tenants.identity, tenants.roles\n"})
    )
    assert downward.returncode == 0, downward.stdout + downward.stderr
