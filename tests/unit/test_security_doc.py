"""docs/security.md points each control at a test: every test it names must exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_every_test_named_in_the_security_doc_exists() -> None:
    references = REFERENCE.findall((ROOT / "docs" / "security.md").read_text())
    assert len(references) >= 20
    missing = [f"{path}::{name}" for path, name in references
               if not (ROOT / path).is_file() or name not in _tests_in(ROOT / path)]
    assert missing == []
