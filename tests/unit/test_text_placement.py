"""User-visible words live in presentation's catalogs, not in the use cases or the adapters."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import innertalk

PACKAGE = Path(innertalk.__file__).parent
CYRILLIC = re.compile("[\u0400-\u04ff]")
MODEL_OUTPUT = ("infrastructure/llm/offline", "infrastructure/safety_model")
"""The offline responder writes replies as a model does (they are screened and stored like any
model's), and the safety model reads Russian features: neither is text of the interface."""


def _string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_application_and_infrastructure_hold_no_russian_text() -> None:
    """A Russian sentence written into a use case or an adapter (not a catalog) fails here."""
    offenders = []
    for layer in ("application", "infrastructure"):
        for path in (PACKAGE / layer).rglob("*.py"):
            relative = path.relative_to(PACKAGE).as_posix()
            if relative.startswith(MODEL_OUTPUT):
                continue
            offenders += [
                f"{relative}:{line}"
                for line, value in _string_constants(path)
                if CYRILLIC.search(value)
            ]
    assert offenders == []
