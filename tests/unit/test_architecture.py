"""The layer rule, checked beyond import-linter: the domain imports only the stdlib."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import innertalk

PACKAGE = Path(innertalk.__file__).parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_domain_imports_only_the_standard_library_and_itself() -> None:
    """Any third-party or outer-layer import in innertalk.domain fails this test."""
    offenders = {}
    for path in (PACKAGE / "domain").rglob("*.py"):
        bad = {
            name
            for name in _imports(path)
            if not name.startswith("innertalk.domain")
            and name.split(".")[0] not in sys.stdlib_module_names
            and name != "__future__"
        }
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}


def test_application_imports_no_adapter_or_driver() -> None:
    """innertalk.application imports the domain, the stdlib and structlog only."""
    allowed_third_party = {"structlog"}
    offenders = {}
    for path in (PACKAGE / "application").rglob("*.py"):
        bad = {
            name
            for name in _imports(path)
            if not name.startswith(("innertalk.domain", "innertalk.application"))
            and name.split(".")[0] not in sys.stdlib_module_names | allowed_third_party
            and name != "__future__"
        }
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}
