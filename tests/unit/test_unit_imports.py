"""Unit tests stay unit tests: they import the domain and the application, never an adapter."""

from __future__ import annotations

import ast
from pathlib import Path

UNIT = Path(__file__).parent
# Outer layers and the composition root: a test that needs one belongs in tests/integration/,
# in the folder that mirrors the module it exercises.
FORBIDDEN = (
    "innertalk.infrastructure",
    "innertalk.presentation",
    "innertalk.config",
    "innertalk.bootstrap",
    "innertalk.cli",
    "tests.integration",
    "tests.contract",
    "tests.e2e",
)


def _imported(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # ``from innertalk import config`` names the module in the alias
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def outer_imports(source: str) -> list[str]:
    """The outer layers (entries of ``FORBIDDEN``) that ``source`` imports from."""
    bad = {
        outer
        for name in _imported(ast.parse(source))
        for outer in FORBIDDEN
        if name == outer or name.startswith(outer + ".")
    }
    return sorted(bad)


def test_unit_tests_import_only_domain_and_application() -> None:
    """A unit test importing infrastructure, presentation, config, bootstrap or cli fails this."""
    offenders = {
        str(path.relative_to(UNIT)): outer_imports(path.read_text(encoding="utf-8"))
        for path in sorted(UNIT.rglob("*.py"))
    }
    assert {path: bad for path, bad in offenders.items() if bad} == {}


def test_the_unit_import_check_catches_each_form() -> None:
    """The check sees plain, from- and module-from imports of every outer layer."""
    source = (
        "import innertalk.infrastructure.clock\n"
        "from innertalk.presentation.texts import text\n"
        "from innertalk import config, bootstrap\n"
        "from innertalk.cli import main\n"
        "from innertalk.application.ports import Clock\n"
        "from innertalk.domain.users import Language\n"
    )
    assert outer_imports(source) == [
        "innertalk.bootstrap",
        "innertalk.cli",
        "innertalk.config",
        "innertalk.infrastructure",
        "innertalk.presentation",
    ]
