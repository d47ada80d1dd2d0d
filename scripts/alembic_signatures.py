#!/usr/bin/env python3
"""Build ``flake8_alembic/data/alembic_signatures.json``: the call signatures of Alembic's ``op.*`` and ``batch_op.*``.

A rule uses the data to report calls that Alembic rejects with TypeError (an unknown keyword, too many positional
arguments, a missing required argument) for the Alembic minor version a project pins. The linter never imports
Alembic, and neither does this script: it reads the source text of released wheels with ``ast``.

Usage::

    python scripts/alembic_signatures.py           # download the wheels, write the JSON
    python scripts/alembic_signatures.py --check   # exit 1 when the committed JSON differs from a fresh build

Which versions
    Every Alembic minor version from 1.7, the oldest release that ships the operation stubs ``alembic/op.pyi``
    (1.7.0; no 1.6.x wheel has them), to the newest final release on the package index that pip is configured
    for. The minor versions come from ``pip index versions alembic``; for each one the newest patch release's wheel
    is fetched with ``pip download --no-deps --only-binary=:all: alembic==X.Y.*`` into a temporary folder.

``op.<name>``
    Every function defined at the top level of ``alembic/op.pyi``. For an ``@overload``-ed name (``invoke``) the
    implementation signature, the one without ``@overload``, is what Python binds a call against. The names that
    are methods written out in ``class Operations`` or its bases in ``alembic/operations/base.py`` (``f``,
    ``get_bind``, ``implementation_for``, ...) take their signature from that definition: ``op.pyi`` can lag it
    (1.17.2's lacks the ``replace`` parameter of ``implementation_for``, which 1.17 accepts).

``batch_op.<name>`` (the object ``with op.batch_alter_table(...) as batch_op:`` yields), available for every
version covered, read two ways because Alembic changed how it declares them:

* Alembic >= 1.11: ``class BatchOperations(AbstractOperations)`` in ``alembic/operations/base.py`` holds
  generated stubs of its operations under ``if TYPE_CHECKING:``; those are read (without ``self``), plus the public
  methods it inherits from ``AbstractOperations`` in the same file (``f``, ``get_bind``, ``inline_literal``,
  ``invoke``, ...), restricted to the names that ``op.pyi`` also exposes, so ``batch_op`` has no name that ``op``
  deliberately leaves out (``context``, a classmethod that builds an ``Operations`` from a ``MigrationContext``).
* Alembic 1.7 to 1.10: there are no stubs; ``class BatchOperations(Operations)`` inherits all of ``op``'s
  surface, and the batch variants are classmethods ``batch_<name>(cls, operations, ...)`` of the operation classes,
  installed by the class decorator ``@BatchOperations.register_operation("<name>", "batch_<name>")`` (in
  ``alembic/operations/ops.py`` and ``alembic/ddl/postgresql.py``). Alembic builds each method from the
  classmethod's own signature with ``cls, operations`` replaced by ``self``, so the classmethod read statically is
  the method's signature. ``batch_op`` is ``op``'s functions with those replaced; so in these versions
  ``batch_op.create_table`` and the other table-level operations exist with ``op``'s signature (they do at runtime).

What is recorded for each function (parameters after ``self``/``cls``)::

    {"positional_only": [[name, has_default], ...],   # before "/"
     "positional":      [[name, has_default], ...],   # positional-or-keyword
     "keyword_only":    [[name, has_default], ...],   # after "*" or "*args"
     "var_positional":  bool,                         # takes *args
     "var_keyword":     bool}                         # takes **kw

In Alembic a ``**kw`` means dialect keyword arguments (``postgresql_concurrently=True``, ``mysql_length=...``): any
keyword is accepted by Alembic itself (SQLAlchemy may later reject one that is not ``<dialect>_<argument>``).

The file::

    {"oldest": "1.7", "newest": "1.y",
     "versions": {"1.7": {"release": "1.7.7", "op": {name: signature}, "batch_op": {name: signature}}, ...}}

``release`` is the patch release that was read. Every minor version is listed in full, even when it equals the
previous one, so a rule looks a minor up directly; the whole file stays well under 300 KB this way, so no
compact (delta) encoding is used. Output is deterministic: sorted keys, indent 1, a trailing newline.

The parsing (``parse_op_stub``, ``parse_batch_ops``, ``version_entry``, ``render``) is pure, text in, data out, so
it is tested without network; ``build`` and ``main`` are the parts that download.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Union

OLDEST_MINOR = (1, 7)
"""Alembic 1.7.0 is the first release whose wheel has ``alembic/op.pyi``."""

PACKAGE = "alembic"
ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "flake8_alembic" / "data" / "alembic_signatures.json"

FuncSig = dict[str, Any]
"""One function's entry, as laid out in the module docstring."""

_FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]


class GeneratorError(Exception):
    """The wheels do not look like this script expects: better to stop than to write wrong data."""


# ---------------------------------------------------------------------------------------------------------------------
# Pure parsing: source text in, signature dicts out.


def _parse(text: str, filename: str = "<unknown>") -> ast.Module:
    with warnings.catch_warnings():
        # Old Alembic docstrings have invalid escapes ("\*" in a non-raw string): Python warns, parses them as written.
        warnings.simplefilter("ignore", (DeprecationWarning, SyntaxWarning))
        return ast.parse(text, filename=filename)


def _params(args: Sequence[ast.arg], defaults: Sequence[ast.expr | None]) -> list[list[str | bool]]:
    return [[arg.arg, default is not None] for arg, default in zip(args, defaults)]


def function_signature(node: _FunctionNode, *, skip: Sequence[str] = ()) -> FuncSig:
    """The signature of one ``def``, dropping the leading parameters named in ``skip`` (``self``, ``cls``...).

    The names are checked, not just counted, so a stub that ever loses its ``self`` fails loudly instead of
    shifting every parameter by one.
    """
    a = node.args
    positional = list(a.posonlyargs) + list(a.args)
    # ast keeps the defaults of positional parameters as a suffix over posonlyargs + args together.
    pos_defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
    leading = [arg.arg for arg in positional[: len(skip)]]
    if leading != list(skip):
        raise GeneratorError(f"{node.name}() at line {node.lineno}: expected leading {list(skip)}, found {leading}")
    n_posonly = len(a.posonlyargs)
    posonly = _params(positional[:n_posonly], pos_defaults[:n_posonly])[len(skip) :]
    pos_or_kw = _params(positional[n_posonly:], pos_defaults[n_posonly:])[max(0, len(skip) - n_posonly) :]
    return {
        "positional_only": posonly,
        "positional": pos_or_kw,
        "keyword_only": _params(a.kwonlyargs, a.kw_defaults),
        "var_positional": a.vararg is not None,
        "var_keyword": a.kwarg is not None,
    }


def _decorator_names(node: _FunctionNode) -> set[str]:
    names = set()
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Attribute):
            names.add(target.attr)
    return names


def _shape(node: _FunctionNode) -> str:
    """The parameters without annotations, to compare ``@overload`` variants."""
    args = ast.arguments(
        posonlyargs=[ast.arg(a.arg) for a in node.args.posonlyargs],
        args=[ast.arg(a.arg) for a in node.args.args],
        vararg=node.args.vararg and ast.arg(node.args.vararg.arg),
        kwonlyargs=[ast.arg(a.arg) for a in node.args.kwonlyargs],
        kw_defaults=[d and ast.Constant(...) for d in node.args.kw_defaults],
        kwarg=node.args.kwarg and ast.arg(node.args.kwarg.arg),
        defaults=[ast.Constant(...) for _ in node.args.defaults],
    )
    return ast.unparse(args)


def _implementations(body: Iterable[ast.stmt]) -> dict[str, _FunctionNode]:
    """The ``def`` that Python binds a call against for each name defined directly in ``body``.

    ``@overload`` variants only describe types; the last ``def`` without it is the one a call reaches. A stub file
    may have nothing but ``@overload`` variants (``op.pyi`` has for ``invoke`` since Alembic 1.13): they are taken
    when they all have the same parameters, differing in annotations only, and are an error otherwise.
    """
    found: dict[str, _FunctionNode] = {}
    overloads: dict[str, list[_FunctionNode]] = {}
    for node in body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if "overload" in _decorator_names(node):
            overloads.setdefault(node.name, []).append(node)
        else:
            found[node.name] = node
    for name, variants in overloads.items():
        if name in found:
            continue
        if len({_shape(variant) for variant in variants}) != 1:
            raise GeneratorError(f"{name}(): @overload variants with different parameters and no implementation")
        found[name] = variants[-1]
    return found


def _method_skip(node: _FunctionNode) -> tuple[str, ...]:
    decorators = _decorator_names(node)
    if "staticmethod" in decorators:
        return ()
    return ("cls",) if "classmethod" in decorators else ("self",)


def parse_op_stub(text: str) -> dict[str, FuncSig]:
    """The signatures of the public top-level functions of an ``op.pyi`` text."""
    tree = _parse(text)
    return {
        name: function_signature(node)
        for name, node in sorted(_implementations(tree.body).items())
        if not name.startswith("_")
    }


def _type_checking_blocks(cls: ast.ClassDef) -> list[ast.stmt]:
    body: list[ast.stmt] = []
    for node in cls.body:
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else None
            if name == "TYPE_CHECKING":
                body.extend(node.body)
    return body


def _classes(tree: ast.Module) -> dict[str, ast.ClassDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}


def _base_names(cls: ast.ClassDef) -> list[str]:
    return [base.id if isinstance(base, ast.Name) else ast.unparse(base) for base in cls.bases]


def _public_methods(body: Iterable[ast.stmt]) -> dict[str, FuncSig]:
    return {
        name: function_signature(node, skip=_method_skip(node))
        for name, node in _implementations(body).items()
        if not name.startswith("_")
    }


def _registrations(tree: ast.Module, registry: str) -> dict[str, tuple[ast.ClassDef, str]]:
    """``{name: (class, source method)}`` for each class decorated with ``@<registry>.register_operation(...)``."""
    found: dict[str, tuple[ast.ClassDef, str]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        for deco in node.decorator_list:
            if not (
                isinstance(deco, ast.Call)
                and isinstance(deco.func, ast.Attribute)
                and deco.func.attr == "register_operation"
                and isinstance(deco.func.value, ast.Name)
                and deco.func.value.id == registry
            ):
                continue
            # register_operation(name, sourcename=None): both string literals in every Alembic so far.
            values = [
                arg.value
                for arg in [*deco.args, *(kw.value for kw in deco.keywords)]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            ]
            if not 1 <= len(values) == len(deco.args) + len(deco.keywords) <= 2:
                raise GeneratorError(f"class {node.name}: register_operation() with non-literal arguments")
            found[values[0]] = (node, values[-1])
    return found


def _registered_signature(module: ast.Module, cls: ast.ClassDef, method: str) -> FuncSig:
    """The signature of the method ``register_operation`` installs: the classmethod minus ``cls, operations``."""
    classes = _classes(module)
    todo = [cls]
    while todo:  # the classmethod may be inherited from an operation base class of the same module
        current = todo.pop(0)
        impls = _implementations(current.body)
        if method in impls:
            return function_signature(impls[method], skip=("cls", "operations"))
        todo.extend(classes[name] for name in _base_names(current) if name in classes)
    raise GeneratorError(f"class {cls.name}: no method {method}() to register")


def written_op_methods(base_text: str, op_text: str) -> dict[str, FuncSig]:
    """The ``op.pyi`` names that are methods written out in ``class Operations`` or its bases in ``base.py``.

    Their real definitions, not the stubs: ``op.pyi`` can lag them (1.17.2's says ``implementation_for(op_cls)``,
    the method is ``implementation_for(cls, op_cls, replace=False)``). Registered operations have no such
    definition in ``base.py`` (only generated stubs under ``if TYPE_CHECKING:``, which are not read here).
    """
    classes = _classes(_parse(base_text))
    names = set(parse_op_stub(op_text))
    found: dict[str, FuncSig] = {}
    todo = ["Operations"]
    while todo:  # the subclass's definition wins, as in Python's method resolution
        cls = classes.get(todo.pop(0))
        if cls is None:
            continue
        for name, sig in _public_methods(cls.body).items():
            found.setdefault(name, sig)
        todo.extend(_base_names(cls))
    return {name: sig for name, sig in found.items() if name in names}


def parse_batch_ops(base_text: str, modules: Mapping[str, str], op_sigs: Mapping[str, FuncSig]) -> dict[str, FuncSig]:
    """The signatures of ``batch_op.<name>``, read as the module docstring explains.

    ``base_text`` is ``alembic/operations/base.py``; ``modules`` maps the other module paths of the package to their
    text (those that register operations); ``op_sigs`` is the same release's ``op`` entry.
    """
    base_tree = _parse(base_text)
    classes = _classes(base_tree)
    batch = classes.get("BatchOperations")
    if batch is None:
        raise GeneratorError("no class BatchOperations in alembic/operations/base.py")
    parents = _base_names(batch)
    if len(parents) != 1 or parents[0] not in classes:
        raise GeneratorError(f"BatchOperations has bases {parents}, expected one class of base.py")
    parent = parents[0]
    registered: dict[str, FuncSig] = {}
    for path, text in sorted(modules.items()):
        tree = _parse(text, path)
        for name, (cls, method) in sorted(_registrations(tree, "BatchOperations").items()):
            registered[name] = _registered_signature(tree, cls, method)

    stubs = _public_methods(_type_checking_blocks(batch))
    if stubs:
        # Alembic >= 1.11: generated stubs, plus what AbstractOperations gives every operations object.
        if set(registered) - set(stubs):
            raise GeneratorError(f"registered batch operations without a stub: {sorted(set(registered) - set(stubs))}")
        inherited = {name: sig for name, sig in _public_methods(classes[parent].body).items() if name in op_sigs}
        result = {**inherited, **stubs}
    elif parent == "Operations":
        # Alembic 1.7 to 1.10: everything op has, the batch variants replacing their namesakes.
        if not registered:
            raise GeneratorError("no @BatchOperations.register_operation found")
        result = {**op_sigs, **registered}
    else:
        raise GeneratorError(f"BatchOperations({parent}) without stubs: a layout this script does not know")
    result.update(_public_methods(batch.body))  # methods written in the class itself win over inherited ones
    return {name: result[name] for name in sorted(result)}


def version_entry(release: str, files: Mapping[str, str]) -> dict[str, Any]:
    """One ``versions`` entry from the text of a wheel's files (``{"alembic/op.pyi": text, ...}``)."""
    op_text = files.get(f"{PACKAGE}/op.pyi")
    base_text = files.get(f"{PACKAGE}/operations/base.py")
    if op_text is None or base_text is None:
        raise GeneratorError(f"alembic {release}: no alembic/op.pyi or alembic/operations/base.py")
    op_sigs = {**parse_op_stub(op_text), **written_op_methods(base_text, op_text)}
    # Sanity check: every operation registered on Operations must have its stub in op.pyi.
    modules = {
        path: text
        for path, text in files.items()
        if path.endswith(".py") and path != f"{PACKAGE}/operations/base.py" and "register_operation(" in text
    }
    for path, text in modules.items():
        missing = set(_registrations(_parse(text, path), "Operations")) - set(op_sigs)
        if missing:
            raise GeneratorError(f"alembic {release}: {path} registers {sorted(missing)}, absent from op.pyi")
    return {"release": release, "op": op_sigs, "batch_op": parse_batch_ops(base_text, modules, op_sigs)}


def minor_of(release: str) -> tuple[int, int]:
    major, minor = release.split(".")[:2]
    return int(major), int(minor)


def document(entries: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The whole file from ``{"1.7": version_entry(...), ...}``."""
    minors = sorted(entries, key=lambda m: minor_of(m))
    return {"oldest": minors[0], "newest": minors[-1], "versions": {m: entries[m] for m in minors}}


def render(data: Mapping[str, Any]) -> str:
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


# ---------------------------------------------------------------------------------------------------------------------
# Downloading.


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    # A constraints file (CI pins alembic==<one release>) would make every other minor unresolvable.
    env["PIP_CONSTRAINT"] = ""
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "pip", *args], capture_output=True, text=True, env=env, check=False, timeout=600
    )


def available_minors() -> list[str]:
    """Every ``X.Y`` from ``OLDEST_MINOR`` on that has a final release on the index."""
    proc = _pip("index", "versions", PACKAGE)
    match = re.search(r"^Available versions:\s*(.+)$", proc.stdout, re.MULTILINE)
    if proc.returncode != 0 or match is None:
        raise GeneratorError(f"pip index versions {PACKAGE} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    releases = [v.strip() for v in match.group(1).split(",")]
    minors = {minor_of(v) for v in releases if re.fullmatch(r"\d+\.\d+(\.\d+)*", v)}
    return [f"{a}.{b}" for a, b in sorted(m for m in minors if m >= OLDEST_MINOR)]


def download(spec: str, folder: Path) -> Path:
    """The wheel pip picks for ``spec`` (``alembic==1.7.*`` or ``alembic==1.7.7``), downloaded into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    proc = _pip("download", "--no-deps", "--only-binary=:all:", "--quiet", "--dest", str(folder), spec)
    wheels = sorted(folder.glob("*.whl"))
    if proc.returncode != 0 or len(wheels) != 1:
        raise GeneratorError(f"pip download {spec} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return wheels[0]


def wheel_release(wheel: Path) -> str:
    return wheel.name.split("-")[1]


def wheel_sources(wheel: Path) -> dict[str, str]:
    """The text of the package's ``.py`` and ``.pyi`` files in a wheel; nothing is imported or executed."""
    with zipfile.ZipFile(wheel) as archive:
        return {
            name: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith(f"{PACKAGE}/") and name.endswith((".py", ".pyi"))
        }


def build(specs: Iterable[str], workdir: Path) -> dict[str, Any]:
    """The whole file from one wheel per pip requirement spec."""
    entries: dict[str, dict[str, Any]] = {}
    for index, spec in enumerate(specs):
        wheel = download(spec, workdir / str(index))
        release = wheel_release(wheel)
        entries[".".join(map(str, minor_of(release)))] = version_entry(release, wheel_sources(wheel))
    return document(entries)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when the committed JSON differs from a fresh build"
    )
    parser.add_argument("--output", type=Path, default=OUTPUT, help="the JSON file (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="alembic-signatures-") as tmp:
            specs = [f"{PACKAGE}=={minor}.*" for minor in available_minors()]
            fresh = render(build(specs, Path(tmp)))
    except GeneratorError as exc:
        print(f"alembic_signatures: {exc}", file=sys.stderr)
        return 2
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != fresh:
            print(f"{args.output} is out of date: run python scripts/alembic_signatures.py", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(fresh, encoding="utf-8")
    print(f"wrote {args.output} ({len(fresh.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
