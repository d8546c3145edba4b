"""docs/configuration.md is held to the code: every environment variable Walker's wiring (`config/`) reads is in
one of its tables, and every variable its tables name is read there or by the scripts `make run` and
`make run-prod-shape` start (`bin/`, the Makefile). The variables are found by reading the code, never listed here."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config"
DOC = ROOT / "docs" / "configuration.md"

# The typed readers of config/env.py, each taking the variable's name first.
READERS = {"env_str", "env_int", "env_bool", "env_float", "env_bytes", "env_list", "env_rates", "env_choice"}
# Variables the page may document although no module of config/ reads them: each must still be read by bin/ or the
# Makefile (checked below), so an entry cannot outlive its variable. Empty while every documented one is read by
# config/; add a name here only for a setting of the scripts alone.
READ_BY_SCRIPTS_ONLY: set[str] = set()


def _names_in(node: ast.AST) -> list[str]:
    """The string constants of a name argument: "NAME", or lists of them (`require([...] + [...])`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.List | ast.Tuple):
        return [name for element in node.elts for name in _names_in(element)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _names_in(node.left) + _names_in(node.right)
    raise ValueError(f"line {node.lineno}: a variable named by an expression ({ast.unparse(node)}), not a string")


def _is_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and getattr(node.value, "id", None) == "os"


def _read_name(node: ast.AST) -> ast.AST | None:
    """The name argument if `node` reads the environment: a reader, `require`, `os.environ.get`, `os.getenv`,
    `os.environ[...]`."""
    if isinstance(node, ast.Subscript) and _is_environ(node.value) and isinstance(node.ctx, ast.Load):
        return node.slice
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    if isinstance(func, ast.Name) and (func.id in READERS or func.id == "require"):
        return node.args[0]
    if isinstance(func, ast.Attribute) and func.attr == "get" and _is_environ(func.value):
        return node.args[0]
    if isinstance(func, ast.Attribute) and func.attr == "getenv" and getattr(func.value, "id", None) == "os":
        return node.args[0]
    return None


def variables_read(source: str, *, readers_module: bool = False) -> set[str]:
    """Every environment variable `source` reads by name. The readers' own module passes its `name` parameter
    through; anywhere else a name that is not a string literal fails, so no variable escapes the check."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        argument = _read_name(node)
        if argument is None:
            continue
        if readers_module and isinstance(argument, ast.Name):
            continue
        found.update(_names_in(argument))
    return found


def variables_the_code_reads() -> set[str]:
    found = set()
    for module in sorted(CONFIG.rglob("*.py")):
        found |= variables_read(module.read_text(), readers_module=module == CONFIG / "env.py")
    return found


def documented_variables(text: str) -> set[str]:
    """Every variable named in the first column of the page's tables (`A`, `B` in one cell documents both)."""
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row.split("|")[1])}


def read_by_scripts(name: str) -> bool:
    scripts = [path for path in (ROOT / "bin").iterdir() if path.is_file()] + [ROOT / "Makefile"]
    return any(re.search(rf"\b{name}\b", path.read_text(errors="replace")) for path in scripts)


def test_the_collector_finds_every_way_the_settings_read_a_variable():
    source = """
import os
A = env_str("S_STR")
B = env_int("S_INT", 1, minimum=0)
C = env_bool("S_BOOL", True)
D = env_float("S_FLOAT", 0.5)
E = env_bytes("S_BYTES", 1)
F = env_list("S_LIST")
G = env_rates("S_RATES", {})
H = env_choice("S_CHOICE", ("a", "b"), "a")
I = os.environ.get("S_ENVIRON_GET")
J = os.getenv("S_GETENV")
K = os.environ["S_ENVIRON_ITEM"]
require(["S_REQUIRED_1"] + ["S_REQUIRED_2"], "why")
os.environ.setdefault("NOT_READ", "written, not read")
"""
    assert variables_read(source) == {
        "S_STR", "S_INT", "S_BOOL", "S_FLOAT", "S_BYTES", "S_LIST", "S_RATES", "S_CHOICE",
        "S_ENVIRON_GET", "S_GETENV", "S_ENVIRON_ITEM", "S_REQUIRED_1", "S_REQUIRED_2",
    }  # fmt: skip


def test_a_variable_named_by_an_expression_fails_rather_than_escaping():
    try:
        variables_read('name = "X"\nvalue = env_str(name)\n')
    except ValueError as error:
        assert "env_str" not in str(error) and "name" in str(error)
    else:
        raise AssertionError("a name the collector cannot read was let through")


def test_the_table_reader_takes_every_name_of_the_first_column_only():
    table = "| `A_ONE`, `A_TWO` | `1` | like `NOT_A_NAME` |\n| `B_ONE` | | |\n| variable | default | meaning |\n"
    assert documented_variables(table) == {"A_ONE", "A_TWO", "B_ONE"}


def test_every_variable_the_code_reads_is_documented():
    read = variables_the_code_reads()
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "PROMETHEUS_MULTIPROC_DIR"} <= read  # the code was read
    missing = read - documented_variables(DOC.read_text())
    assert missing == set(), f"read by config/ but not in docs/configuration.md: {sorted(missing)}"


def test_the_page_documents_no_variable_that_nothing_reads():
    unread = documented_variables(DOC.read_text()) - variables_the_code_reads() - READ_BY_SCRIPTS_ONLY
    assert unread == set(), f"in docs/configuration.md but read by nothing: {sorted(unread)}"
    assert [name for name in sorted(READ_BY_SCRIPTS_ONLY) if not read_by_scripts(name)] == []
