"""Dependencies point down: `operations` imports nothing of `agreements`, and `agreements` takes
from `operations` neither its API, nor its forms, nor its views. Every import counts, those
inside functions included, so the source is read with `ast` rather than by importing it."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    """Absolute names of every module `path` imports, anywhere in it (relative imports resolved)."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def violations(app: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        for name in sorted(imported_modules(path)):
            if any(name == prefix or name.startswith(prefix + ".") for prefix in forbidden):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


def test_operations_imports_nothing_of_agreements():
    assert violations("operations", ("agreements",)) == []


def test_agreements_uses_no_api_form_or_view_of_operations():
    assert violations("agreements", ("operations.api", "operations.forms", "operations.views")) == []


@pytest.mark.parametrize("module", ["reports.py", "reports_api.py"])
def test_the_report_base_imports_no_app(module):
    names = imported_modules(ROOT / "jfo_registry" / module)
    assert [name for name in names if name.split(".")[0] in ("operations", "agreements")] == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    from agreements.selectors import x\n", "operations/x.py imports agreements.selectors"),
        ("import agreements.models\n", "operations/x.py imports agreements.models"),
    ],
)
def test_the_check_sees_top_level_and_function_local_imports(tmp_path, monkeypatch, source, expected):
    (tmp_path / "operations").mkdir()
    (tmp_path / "operations" / "x.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert expected in violations("operations", ("agreements",))


def test_relative_imports_are_resolved_to_their_package():
    path = ROOT / "operations" / "api" / "reports.py"
    assert "operations.selectors" in imported_modules(path)
