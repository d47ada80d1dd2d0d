"""The package's data flows one way: no module imports from a later layer, and there is no import cycle. The import
graph is read with `ast`, imports inside functions and `if TYPE_CHECKING:` blocks included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "flake8_alembic"
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("vocabulary", ("flake8_alembic", "dialects", "names", "types", "sql", "config", "noqa", "signatures")),
    ("reading", ("reading", "project", "pins", "locations")),
    ("parse", ("parse",)),
    ("cache", ("cache", "runcache")),
    ("project facts", ("facts", "facts.project")),
    ("history and replay", ("history", "effects", "phase", "schema")),
    ("environment facts", ("facts.environment", "facts.birth")),
    ("rules", ("rules",)),
    ("engine", ("engine", "selection", "resident")),
    (
        "faces",
        ("cli", "plugin", "output", "files", "settings_report", "baseline", "__main__", "verify", "client", "server"),
    ),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    """The index of a module's layer: the longest prefix listed wins (facts.environment before facts)."""
    relative = module.removeprefix("flake8_alembic").lstrip(".") or "flake8_alembic"
    best, best_length = None, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (relative == prefix or relative.startswith(prefix + ".")) and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best


def imports_of(path: Path, module: str) -> set[str]:
    """The flake8_alembic modules a module imports (resolving relative imports)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("flake8_alembic"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            else:
                target = node.module or ""
            if not target.startswith("flake8_alembic"):
                continue
            # `from . import dialects` imports a module; `from .dialects import NAMES` imports from one.
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if _is_module(candidate) else target)
    found.discard(module)
    return found


def _is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file()


GRAPH = {module_name(path): imports_of(path, module_name(path)) for path in sorted(PACKAGE.rglob("*.py"))}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_import_from_a_later_layer(module: str) -> None:
    own = layer_of(module)
    later = sorted(target for target in GRAPH[module] if layer_of(target) > own)
    assert not later, f"{module} ({LAYERS[own][0]}) imports {later}"


def test_no_import_cycle() -> None:
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        if module in done:
            return
        assert module not in visiting, " -> ".join([*trail, module])
        visiting.add(module)
        for target in sorted(GRAPH.get(module, ())):
            visit(target, [*trail, module])
        visiting.discard(module)
        done.add(module)

    for module in sorted(GRAPH):
        visit(module, [])


def test_rules_never_import_the_engine_or_the_faces() -> None:
    for module, targets in GRAPH.items():
        if module.startswith("flake8_alembic.rules"):
            assert all(layer_of(target) <= layer_of(module) for target in targets), module


def test_every_module_says_its_job() -> None:
    """Each module opens with a docstring naming its one job."""
    for path in sorted(PACKAGE.rglob("*.py")):
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert docstring and len(docstring.split()) >= 4, path


def test_the_layer_test_can_fail() -> None:
    """A rule importing the engine would be caught (the check is not vacuous)."""
    assert layer_of("flake8_alembic.engine") > layer_of("flake8_alembic.rules.hazards.alm002_unguarded_drop")
    assert layer_of("flake8_alembic.facts.environment") > layer_of("flake8_alembic.facts.project")


# ---------------------------------------------------------------------------------------------- verify

DATABASE_LIBRARIES = ("sqlalchemy", "alembic")


def _module_level_imports(path: Path) -> set[str]:
    """Modules imported at module level (not inside functions), absolute names as written."""
    found: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
    return found


def _all_imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_only_the_command_line_reaches_verify_and_only_when_it_runs() -> None:
    """verify lives beside the faces: no module below them imports it, and cli imports it inside a function."""
    for module, targets in GRAPH.items():
        if module.startswith("flake8_alembic.verify") or module == "flake8_alembic.cli":
            continue
        assert not any(t.startswith("flake8_alembic.verify") for t in targets), module
    assert "flake8_alembic.verify.command" in GRAPH["flake8_alembic.cli"]
    assert not any("verify" in name for name in _module_level_imports(PACKAGE / "cli.py"))


def test_only_verify_imports_sqlalchemy_or_alembic() -> None:
    """The lint faces' runtime dependency stays flake8: SQLAlchemy and Alembic are verify's (the extra)."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if "verify" in path.relative_to(PACKAGE).parts:
            continue
        used = {name for name in _all_imports(path) if name.split(".")[0] in DATABASE_LIBRARIES}
        assert not used, f"{path} imports {sorted(used)}"


@pytest.mark.parametrize("name", ["__init__.py", "command.py", "pytest_plugin.py", "postgres.py", "envpy.py"])
def test_verify_entry_points_import_no_database_library_at_module_level(name: str) -> None:
    """What --help, a missing extra and the pytest plugin load never pulls SQLAlchemy or Alembic in."""
    imported = _module_level_imports(PACKAGE / "verify" / name)
    assert not {n for n in imported if n.split(".")[0] in DATABASE_LIBRARIES}, imported
    relative = {n.lstrip(".") for n in imported if n.startswith(".")}
    assert relative <= {"output"}, f"{name} loads {relative} at import: import them where they are used"
