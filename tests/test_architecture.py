"""The backend's shape: packages and modules import each other without circles, modules stay short.

Every import counts, at module level or inside a function, except those under
`if TYPE_CHECKING:` (annotations only: nothing is imported when the code runs)."""

from __future__ import annotations

import ast
import graphlib
from collections import defaultdict
from pathlib import Path

import pytest

pytestmark = pytest.mark.nodb

BACKEND = Path(__file__).resolve().parent.parent / "backend"
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(BACKEND.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path
    for path in BACKEND.rglob("*.py")
    if "migrations" not in path.relative_to(BACKEND).parts
}


def _typing_only(tree: ast.AST) -> set[int]:
    nodes: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            nodes |= {id(inner) for statement in node.body for inner in ast.walk(statement)}
    return nodes


def _imported(module: str, path: Path) -> set[str]:
    """The backend modules `module` imports (a name imported from a package may be a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _typing_only(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from package import module` depends on the module, `from module import name`
            # on the module; a package's `__init__` runs first either way, which makes it
            # no dependency of the importer unless a name comes from it.
            submodules = {f"{base}.{alias.name}" for alias in node.names} & MODULES.keys()
            found |= submodules
            if len(submodules) < len(node.names):
                found.add(base)
    found &= MODULES.keys()
    # `backend` (create_app) is loaded before any of its modules anyway.
    return found - {module, "backend"}


IMPORTS = {module: _imported(module, path) for module, path in MODULES.items()}


def _unit(module: str) -> str:
    """A backend package (`backend.invoices`) or a top-level module (`backend.ingest`)."""
    return ".".join(module.split(".")[:2])


def _circle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as error:
        return list(error.args[1])
    return None


def test_modules_import_each_other_without_circles() -> None:
    assert _circle(IMPORTS) is None


def test_packages_import_each_other_without_circles() -> None:
    # `backend` itself (create_app) loads every blueprint; it sits above all and is left out.
    graph: dict[str, set[str]] = defaultdict(set)
    for module, imported in IMPORTS.items():
        if module == "backend":
            continue
        graph[_unit(module)] |= {_unit(name) for name in imported} - {_unit(module), "backend"}
    assert _circle(graph) is None


def test_the_graph_sees_imports() -> None:
    # The checks above are only as good as the parser: it must see absolute, relative and
    # function-level imports, and leave annotation-only ones out.
    assert "backend.invoices.models" in IMPORTS["backend.ingest"]
    assert "backend.payments" not in {_unit(name) for name in IMPORTS["backend.invoices.models"]}
    assert "backend.invoices.scoped" in IMPORTS["backend.payments.routes"]
    assert _circle({"a": {"b"}, "b": {"a"}}) is not None


def test_no_backend_module_is_over_400_lines() -> None:
    long = {
        module: lines
        for module, path in MODULES.items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def _response_builders(source: str) -> list[int]:
    """The lines where a module builds an answer with a `Response` class other than Relais'."""
    tree = ast.parse(source)
    skip = _typing_only(tree)
    imported = {
        alias.asname or alias.name: (node.module or "", alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and id(node) not in skip
        for alias in node.names
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name):
            module, name = imported.get(func.id, ("", func.id))
            if name == "Response" and module != "backend.responses":
                found.append(node.lineno)
        elif (
            isinstance(func, ast.Attribute)
            and func.attr == "Response"
            and ast.unparse(func.value) != "responses"
        ):
            found.append(node.lineno)
    return found


def test_answers_are_built_with_the_application_response_class() -> None:
    """`backend.responses.Response` hands a body in memory to the server in one piece; an
    answer built with flask's or werkzeug's class would be sent chunk by chunk."""
    found = {
        module: lines
        for module, path in MODULES.items()
        if (lines := _response_builders(path.read_text(encoding="utf-8")))
    }
    assert found == {}
    # The check sees flask's, werkzeug's and an aliased class, and lets Relais' own pass.
    wrong = "from flask import Response\nimport flask\nResponse()\nflask.Response()\n"
    assert _response_builders(wrong) == [3, 4]
    assert _response_builders("from werkzeug import Response as R\nR()\n") == [2]
    right = "from backend.responses import Response\nfrom backend import responses\n"
    assert _response_builders(right + "Response()\nresponses.Response()\n") == []
