"""Reading one file: is it an Alembic migration, and what does it declare and do?

Static only: the stdlib ``ast``; nothing is imported or executed.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from dataclasses import dataclass
from typing import Final, Union

from ..names import ImportRecord, Literal, alias_map, collect_imports, literal, revision_ids
from .classify import UNKNOWN, operation_effect, strongest
from .comments import NO_REMARKS, Remarks, SourceComments, message_words
from .conditions import does_nothing, required_parameters
from .module_level import ModuleLevelCall, module_level_op_calls
from .records import (
    CallEffect,
    EnumTypeCall,
    Frame,
    Inspection,
    Operation,
    RaiseInfo,
    RemovedApiUse,
    RowLoop,
    SchemaLookup,
    TryBlock,
)
from .walk import Walker

_REVISION_FIELDS: Final = ("revision", "down_revision", "branch_labels", "depends_on")
_LOOKS_LIKE_MIGRATION: Final = re.compile(rb"^\s*down_revision\b", re.MULTILINE)
_HAS_UPGRADE: Final = re.compile(rb"^\s*(?:async\s+)?def\s+upgrade\w*\s*\(", re.MULTILINE)
_DIALECT_MODULE: Final = re.compile(r"^sqlalchemy\.dialects\.(\w+)")


@dataclass(frozen=True)
class FunctionSummary:
    """An ``upgrade*``/``downgrade*`` function of the module."""

    name: str
    kind: str
    """``upgrade`` | ``downgrade``."""
    engine: str
    """``engine1`` for ``upgrade_engine1``; ``""`` for ``upgrade``."""
    line: int
    col: int
    does_nothing: bool
    explained: bool = False
    """Its body does nothing and a person says why: a comment in or directly above it, or a docstring with words
    of its own (not autogenerate's markers, a TODO, a pragma, or the revision's message in a template's words).
    Read only for a body that does nothing."""
    commented_code: bool = False
    """Its body does nothing and holds code in comments, or code after a ``return`` that always runs first: a change
    written and switched off on purpose."""


@dataclass(frozen=True)
class RevisionField:
    """A module-level revision identifier assignment: its value as far as it can be read statically."""

    value: Literal
    line: int
    col: int


@dataclass(frozen=True)
class Migration:
    """Everything the rules need to know about one migration file."""

    path: str
    fields: dict[str, RevisionField]
    docstring: str | None
    description: str | None
    """The module docstring, or the first module-level string after the imports (neutron's templates)."""
    functions: tuple[FunctionSummary, ...]
    imports: tuple[ImportRecord, ...]
    operations: tuple[Operation, ...]
    try_blocks: tuple[TryBlock, ...]
    raises: tuple[RaiseInfo, ...]
    row_loops: tuple[RowLoop, ...]
    inspections: tuple[Inspection, ...]
    opaque_phases: frozenset[str]
    dialect_hints: frozenset[str]
    enum_calls: tuple[EnumTypeCall, ...] = ()
    schema_lookups: tuple[SchemaLookup, ...] = ()
    index_guards: frozenset[Frame] = frozenset()
    module_op_calls: tuple[ModuleLevelCall, ...] = ()
    """Calls on ``op`` in code that runs when the file is imported (ALM039)."""
    call_effects: tuple[CallEffect, ...] = ()
    """Calls that are not operations but act on the database, or may (``parse/classify.py``)."""
    removed_apis: tuple[RemovedApiUse, ...] = ()
    """Uses of SQLAlchemy APIs that 2.0 removed, where they run (``parse/removed_api.py``, ALM031)."""

    @property
    def revision(self) -> str | None:
        field = self.fields.get("revision")
        return field.value if field and isinstance(field.value, str) else None

    @property
    def down_revisions(self) -> tuple[str, ...] | None:
        """The parents: () for a base revision, None when not readable."""
        field = self.fields.get("down_revision")
        return revision_ids(field.value) if field is not None else None

    @property
    def is_merge(self) -> bool:
        parents = self.down_revisions
        return parents is not None and len(parents) > 1

    def functions_of(self, kind: str) -> tuple[FunctionSummary, ...]:
        return tuple(function for function in self.functions if function.kind == kind)

    def effect_of(self, function: FunctionSummary, without_foreign_calls: bool = False) -> str:
        """What running ``function`` does to the database (``parse/classify.py``): ``schema`` when any of its
        statements changes the schema, else ``unknown`` when any runs code the engine cannot follow, else
        ``data``, ``neutral``, or ``none`` when nothing is recorded. Its helpers' statements count where they run.
        ``without_foreign_calls`` leaves out its calls into foreign code (for a caller that reads them itself)."""
        effects = [
            operation_effect(operation)
            for operation in self.operations
            if operation.phase == function.kind and operation.engine == function.engine
        ]
        effects.extend(
            call.effect
            for call in self.call_effects
            if call.phase == function.kind
            and call.engine == function.engine
            and not (without_foreign_calls and call.effect == UNKNOWN)
        )
        return strongest(effects)


@dataclass(frozen=True)
class ParseFailure:
    """A file that looks like a migration but cannot be read: reported like flake8's E999."""

    path: str
    line: int
    col: int
    message: str


ParseResult = Union[Migration, ParseFailure, None]


def looks_like_migration(source: bytes) -> bool:
    """The cheap text test done before parsing: a ``down_revision`` assignment and an ``upgrade`` function."""
    return bool(_LOOKS_LIKE_MIGRATION.search(source)) and bool(_HAS_UPGRADE.search(source))


def decode_source(source: bytes) -> str:
    """Decode as Python does (PEP 263 cookie, BOM); raises UnicodeDecodeError/SyntaxError/LookupError."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    text = source.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text


def parse_source(path: str, source: bytes) -> ParseResult:
    """Parse file bytes. None when the file is not a migration (including text that never looks like one)."""
    if not looks_like_migration(source):
        return None
    try:
        text = decode_source(source)
    except (UnicodeDecodeError, SyntaxError, LookupError) as error:
        return ParseFailure(path, 1, 0, f"cannot decode the file: {_one_line(error)}")
    try:
        tree = parse_quietly(text, path)
    except SyntaxError as error:
        return ParseFailure(path, error.lineno or 1, max((error.offset or 1) - 1, 0), f"SyntaxError: {error.msg}")
    except (ValueError, RecursionError, MemoryError) as error:
        return ParseFailure(path, 1, 0, f"cannot parse the file: {type(error).__name__}: {_one_line(error)}")
    return parse_tree(path, tree, text)


def parse_text(path: str, text: str) -> Migration | None:
    """Parse decoded source; None for a non-migration or text that does not parse."""
    try:
        tree = parse_quietly(text, path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return parse_tree(path, tree, text)


def parse_quietly(text: str, path: str) -> ast.Module:
    """``ast.parse`` without the compiler's warnings (invalid escapes…): they are about the user's code, not ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=path)


def _code_after_return(body: list[ast.stmt]) -> bool:
    """``return`` as a statement of the body, with statements after it: code kept but switched off."""
    return any(isinstance(statement, ast.Return) for statement in body[:-1])


def parse_tree(path: str, tree: ast.Module, text: str | None = None) -> Migration | None:
    """Summarise an already parsed module; None when it is not a migration. ``text`` is the module's source, for
    its comments (without it, no comment explains anything)."""
    fields: dict[str, RevisionField] = {}
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    floors: dict[str, int] = {}
    """The last line of the statement before each function: where the comments above it may start."""
    constants: dict[str, Literal] = {}
    module_calls: dict[str, ast.expr] = {}
    description: str | None = None
    previous_end = 0
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            functions[node.name] = node
            floors[node.name] = previous_end
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if not isinstance(target, ast.Name):
                    continue
                value = literal(node.value, constants)
                if target.id in _REVISION_FIELDS:
                    fields[target.id] = RevisionField(value, node.lineno, node.col_offset)
                elif isinstance(value, (str, int, float, bool, tuple)):
                    constants[target.id] = value
                elif isinstance(node.value, ast.Call):
                    module_calls[target.id] = node.value
        elif (
            description is None
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            description = node.value.value
        previous_end = node.end_lineno or node.lineno
    if "revision" not in fields or "down_revision" not in fields:
        return None
    if not any(name == "upgrade" or name.startswith("upgrade_") for name in functions):
        return None
    docstring = ast.get_docstring(tree, clean=False)
    imports = collect_imports(tree.body)
    module_op_calls = module_level_op_calls(tree, imports)
    aliases = alias_map(imports)
    walker = Walker(functions, imports, aliases, constants, module_calls)
    summaries: list[FunctionSummary] = []
    raises: list[RaiseInfo] = []
    remarks = _Remarks(text, docstring if docstring is not None else description)
    for name, node in functions.items():
        kind, engine = _function_kind(node)
        if kind is None:
            continue
        nothing = does_nothing(node.body)
        said = remarks.of_function(node, floors[name]) if nothing else NO_REMARKS
        switched_off = said.commented_code or (nothing and _code_after_return(node.body))
        summaries.append(
            FunctionSummary(name, kind, engine, node.lineno, node.col_offset, nothing, said.explained, switched_off)
        )
        walker.walk_function(node, kind, engine)
        if kind == "downgrade":
            raises.extend(_top_level_raises(node, remarks))
    for name, node in functions.items():
        if _function_kind(node)[0] is None and name not in walker.inlined:
            walker.walk_function(node, None, "")
    walker.read_module_level(tree.body)
    records = walker.records
    imports = imports + tuple(records.imports.values())
    hints = set(records.dialect_hints)
    for record in imports:
        match = _DIALECT_MODULE.match(record.qualified)
        if match:
            hints.add(match.group(1))
    return Migration(
        path=path,
        fields=fields,
        docstring=docstring,
        description=docstring if docstring is not None else description,
        functions=tuple(summaries),
        imports=imports,
        operations=tuple(records.operations),
        try_blocks=tuple(records.try_blocks),
        raises=tuple(raises),
        row_loops=tuple(records.row_loops),
        inspections=tuple(records.inspections),
        opaque_phases=frozenset(records.opaque_phases),
        dialect_hints=frozenset(hints),
        enum_calls=tuple(records.enum_calls),
        schema_lookups=tuple(records.schema_lookups.values()),
        index_guards=frozenset(records.index_guards),
        module_op_calls=module_op_calls,
        call_effects=tuple(records.call_effects),
        removed_apis=tuple(records.removed_apis.values()),
    )


def _function_kind(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[str | None, str]:
    """``upgrade``/``downgrade`` and multidb ``upgrade_<engine>()``. Alembic calls the multidb functions without
    arguments, so ``upgrade_region_list(bind)`` is an ordinary helper."""
    name = node.name
    for kind in ("upgrade", "downgrade"):
        if name == kind:
            return kind, ""
        if name.startswith(kind + "_") and not required_parameters(node):
            return kind, name[len(kind) + 1 :]
    return None, ""


class _Remarks:
    """The comments of the module, read only when a function or a raise needs them."""

    def __init__(self, text: str | None, description: str | None) -> None:
        self._text = text
        self._comments: SourceComments | None = None
        self._message = message_words(description)

    def _source(self) -> SourceComments | None:
        if self._comments is None and self._text is not None:
            self._comments = SourceComments(self._text)
        return self._comments

    def of_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, floor: int) -> Remarks:
        source = self._source()
        if source is None:
            return NO_REMARKS
        return source.function_remarks(node, floor, ast.get_docstring(node), self._message)

    def explain_raise(self, node: ast.FunctionDef | ast.AsyncFunctionDef, index: int) -> bool:
        source = self._source()
        return source is not None and source.raise_explained(node, index, ast.get_docstring(node), self._message)


def _top_level_raises(node: ast.FunctionDef | ast.AsyncFunctionDef, remarks: _Remarks) -> list[RaiseInfo]:
    found = []
    for index, statement in enumerate(node.body):
        if isinstance(statement, ast.Raise):
            message = _has_message(statement)
            explained = not message and remarks.explain_raise(node, index)
            found.append(RaiseInfo(statement.lineno, statement.col_offset, node.name, message, explained))
    return found


def _has_message(node: ast.Raise) -> bool:
    exception = node.exc
    if exception is None or not isinstance(exception, ast.Call):
        return False
    first = exception.args[0] if exception.args else None
    if first is None:
        return any(keyword.arg in ("message", "msg") for keyword in exception.keywords)
    if isinstance(first, ast.Constant):
        return isinstance(first.value, str) and bool(first.value.strip())
    return True


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200]
