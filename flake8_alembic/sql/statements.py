"""Classifying SQL statements: CREATE / DROP / ALTER / REINDEX / TRUNCATE / COMMENT ON, and the target table of
UPDATE / INSERT / DELETE; what SQLAlchemy's ``text()`` reads as bind parameters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Callable

from .alter_table import ALTER_TABLE_ACTION_WORDS, alter_action
from .definitions import column_defs
from .lexer import Bail, Lexer, Parser, is_op, keyword_of, split_statements, split_top_level
from .records import AlterAction, SqlStatement

# Object kinds after CREATE / DROP / ALTER (multi-word ones first).
_MULTI_KINDS: tuple[tuple[str, ...], ...] = (
    ("MATERIALIZED", "VIEW"),
    ("FOREIGN", "TABLE"),
    ("FOREIGN", "DATA", "WRAPPER"),
    ("EVENT", "TRIGGER"),
    ("TEXT", "SEARCH", "CONFIGURATION"),
    ("TEXT", "SEARCH", "DICTIONARY"),
    ("TEXT", "SEARCH", "PARSER"),
    ("TEXT", "SEARCH", "TEMPLATE"),
    ("OPERATOR", "CLASS"),
    ("OPERATOR", "FAMILY"),
    ("USER", "MAPPING"),
    ("DEFAULT", "PRIVILEGES"),
    ("ACCESS", "METHOD"),
    ("LARGE", "OBJECT"),
)


_SINGLE_KINDS = frozenset(
    {
        "TABLE",
        "INDEX",
        "VIEW",
        "SEQUENCE",
        "TYPE",
        "SCHEMA",
        "FUNCTION",
        "PROCEDURE",
        "TRIGGER",
        "EXTENSION",
        "DOMAIN",
        "RULE",
        "POLICY",
        "ROLE",
        "USER",
        "GROUP",
        "DATABASE",
        "AGGREGATE",
        "COLLATION",
        "CONVERSION",
        "LANGUAGE",
        "OPERATOR",
        "PUBLICATION",
        "SUBSCRIPTION",
        "STATISTICS",
        "TABLESPACE",
        "SERVER",
        "CAST",
        "TRANSFORM",
        "EVENT",
        "ROUTINE",
        "COLUMN",
        "CONSTRAINT",
    }
)


# Kinds whose name is followed by an argument list in DROP (``DROP FUNCTION f(int)``).
_CALLABLE_KINDS = frozenset({"FUNCTION", "PROCEDURE", "AGGREGATE", "ROUTINE"})


# Kinds named ``name ON table`` in DROP.
_ON_TABLE_KINDS = frozenset({"TRIGGER", "POLICY", "RULE", "INDEX"})


# Kinds with no name of their own to report.
_UNNAMED_KINDS = frozenset({"DEFAULT PRIVILEGES", "USER MAPPING", "CAST", "TRANSFORM", "LARGE OBJECT"})


_CREATE_MODIFIERS = frozenset(
    {
        "TEMP",
        "TEMPORARY",
        "UNLOGGED",
        "GLOBAL",
        "LOCAL",
        "RECURSIVE",
        "FULLTEXT",
        "SPATIAL",
        "CLUSTERED",
        "NONCLUSTERED",
        "TRUSTED",
        "PROCEDURAL",
        "CONSTRAINT",
        "OR",
        "REPLACE",
    }
)


def _object_kind(p: Parser) -> str | None:
    word = p.kw()
    if not word:
        return None
    for words in _MULTI_KINDS:
        if words[0] == word and p.accept_seq(*words):
            return " ".join(words)
    if word in _SINGLE_KINDS:
        p.i += 1
        return word
    return None


def _create(p: Parser, verb: str, text: str) -> SqlStatement | None:
    unique = False
    while True:
        word = p.kw()
        if word == "UNIQUE":
            unique = True
        elif word not in _CREATE_MODIFIERS:
            break
        p.i += 1
    kind = _object_kind(p)
    if kind is None:
        return None
    if kind == "INDEX":
        concurrently = p.accept("CONCURRENTLY")
        if_not_exists = p.accept_seq("IF", "NOT", "EXISTS")
        names: tuple[str | None, ...] = ()
        if p.kw() != "ON":
            found, name = p.name()
            if not found or p.kw() != "ON":
                raise Bail
            names = (name,)
        p.i += 1  # ON
        p.accept("ONLY")
        found, table = p.name()
        if not found:
            raise Bail
        return SqlStatement(
            verb,
            kind,
            names,
            if_not_exists=if_not_exists,
            concurrently=concurrently,
            unique=unique,
            table=table,
            text=text,
        )
    if_not_exists = p.accept_seq("IF", "NOT", "EXISTS")
    found = False
    name = None
    if kind not in _UNNAMED_KINDS and not (kind == "SCHEMA" and p.kw() == "AUTHORIZATION"):
        found, name = p.name()
    names = (name,) if found else ()
    table = None
    columns: tuple[tuple[str, str], ...] = ()
    if found and kind == "TABLE":
        follows = ("AS", "PARTITION", "OF", "INHERITS", "WITH", "ON", "LIKE")
        if name is None and not (p.at_end() or is_op(p.peek(), "(")) and p.kw() not in follows:
            raise Bail
        if is_op(p.peek(), "("):
            columns = _table_body(p)
    elif found and kind == "POLICY" and p.accept("ON"):
        _, table = p.name()
    elif found and kind == "TRIGGER":
        for _ in range(64):
            tok = p.peek()
            if tok is None:
                break
            p.i += 1
            if keyword_of(tok) == "ON":
                _, table = p.name()
                break
    return SqlStatement(
        verb,
        kind,
        names,
        if_not_exists=if_not_exists,
        unique=unique,
        table=table,
        columns=columns,
        text=text,
    )


def _table_body(p: Parser) -> tuple[tuple[str, str], ...]:
    """Column definitions of ``( ... )`` at the current token; () when truncated or unbalanced."""
    lexer = p.lx
    complete = lexer.fill_all()
    start = p.i
    depth = 0
    j = start
    while True:
        tok = lexer.get(j)
        if tok is None:
            return ()
        if tok.kind == "op":
            if tok.value == "(":
                depth += 1
            elif tok.value == ")":
                depth -= 1
                if depth == 0:
                    break
        j += 1
    if not complete:
        return ()
    return column_defs(lexer.text, lexer.tokens[start + 1 : j])


def _drop(p: Parser, verb: str, text: str) -> SqlStatement | None:
    p.accept("TEMPORARY")
    kind = _object_kind(p)
    if kind is None:
        return None
    concurrently = kind == "INDEX" and p.accept("CONCURRENTLY")
    if_exists = p.accept_seq("IF", "EXISTS")
    names: list[str | None] = []
    table: str | None = None
    if kind not in _UNNAMED_KINDS:
        while True:
            found, name = p.name()
            if not found:
                break
            names.append(name)
            if kind in _CALLABLE_KINDS:
                p.skip_parens()
            p.accept("*")
            if is_op(p.peek(), ","):
                p.i += 1
                continue
            if name is None and not p.at_end() and p.kw() not in ("CASCADE", "RESTRICT", "ON"):
                raise Bail
            break
        if kind in _ON_TABLE_KINDS and p.accept("ON"):
            _, table = p.name()
    return SqlStatement(
        verb,
        kind,
        tuple(names),
        if_exists=if_exists,
        concurrently=concurrently,
        table=table,
        text=text,
    )


def _alter(p: Parser, verb: str, text: str) -> SqlStatement | None:
    kind = _object_kind(p)
    if kind is None:
        return None
    if kind in _UNNAMED_KINDS or (kind == "TABLE" and p.accept_seq("ALL", "IN", "TABLESPACE")):
        return SqlStatement(verb, kind, (), text=text)
    if_exists = p.accept_seq("IF", "EXISTS")
    p.accept("ONLY")
    found, name = p.name()
    if not found:
        return SqlStatement(verb, kind, (), if_exists=if_exists, text=text)
    if kind != "TABLE":
        return SqlStatement(verb, kind, (name,), if_exists=if_exists, text=text)
    p.accept("*")
    nxt = keyword_of(p.peek())
    if name is None and nxt and nxt not in ALTER_TABLE_ACTION_WORDS:
        raise Bail
    actions: tuple[AlterAction, ...] = ()
    lexer = p.lx
    if lexer.fill_all():
        rest = lexer.tokens[p.i :]
        actions = tuple(alter_action(lexer.text, part) for part in split_top_level(rest))
    return SqlStatement(verb, kind, (name,), if_exists=if_exists, table=name, actions=actions, text=text)


def _reindex(p: Parser, verb: str, text: str) -> SqlStatement | None:
    concurrently = False
    if is_op(p.peek(), "("):
        start = p.i
        p.skip_parens()
        for j in range(start, p.i):
            if keyword_of(p.lx.get(j)) == "CONCURRENTLY":
                concurrently = keyword_of(p.lx.get(j + 1)) not in ("FALSE", "OFF", "0")
    kind = p.kw()
    if kind not in ("INDEX", "TABLE", "SCHEMA", "DATABASE", "SYSTEM"):
        return None
    p.i += 1
    concurrently = p.accept("CONCURRENTLY") or concurrently
    found, name = p.name()
    return SqlStatement(verb, kind, (name,) if found else (), concurrently=concurrently, text=text)


def _update(p: Parser, verb: str, text: str) -> SqlStatement | None:
    while p.accept("LOW_PRIORITY", "IGNORE"):
        pass
    p.accept("ONLY")
    _, table = p.name()
    return SqlStatement(verb, None, (), table=table, text=text)


def _insert(p: Parser, verb: str, text: str) -> SqlStatement | None:
    while p.accept("LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE"):
        pass
    p.accept("INTO")
    _, table = p.name()
    return SqlStatement(verb, None, (), table=table, text=text)


def _delete(p: Parser, verb: str, text: str) -> SqlStatement | None:
    while p.accept("LOW_PRIORITY", "QUICK", "IGNORE"):
        pass
    if not p.accept("FROM"):
        return None
    p.accept("ONLY")
    _, table = p.name()
    return SqlStatement(verb, None, (), table=table, text=text)


def _truncate(p: Parser, verb: str, text: str) -> SqlStatement | None:
    p.accept("TABLE")
    names: list[str | None] = []
    while True:
        p.accept("ONLY")
        found, name = p.name()
        if not found:
            break
        names.append(name)
        p.accept("*")
        if not is_op(p.peek(), ","):
            break
        p.i += 1
    return SqlStatement(verb, "TABLE", tuple(names), text=text)


def _comment(p: Parser, verb: str, text: str) -> SqlStatement | None:
    if not p.accept("ON"):
        return None
    kind = _object_kind(p)
    if kind is None:
        return None
    found, name = p.name()
    return SqlStatement(verb, kind, (name,) if found else (), text=text)


_HANDLERS: Mapping[str, Callable[[Parser, str, str], SqlStatement | None]] = MappingProxyType(
    {
        "CREATE": _create,
        "DROP": _drop,
        "ALTER": _alter,
        "REINDEX": _reindex,
        "UPDATE": _update,
        "INSERT": _insert,
        "REPLACE": _insert,
        "DELETE": _delete,
        "TRUNCATE": _truncate,
        "COMMENT": _comment,
    }
)


def _classify_one(text: str) -> SqlStatement:
    lexer = Lexer(text)
    verb = keyword_of(lexer.get(0))
    handler = _HANDLERS.get(verb)
    result: SqlStatement | None = None
    if handler is not None:
        try:
            result = handler(Parser(lexer), verb, text)
        except Exception:  # Bail, or anything unexpected: claim nothing beyond the verb
            result = None
    return result if result is not None else SqlStatement(verb, None, (), text=text)


def classify(sql: str) -> tuple[SqlStatement, ...]:
    """Classify every statement of ``sql``; ``()`` for empty or comment-only text."""
    try:
        return tuple(_classify_one(statement) for statement in split_statements(sql))
    except Exception:  # defensive: never raise
        return ()


# SQLAlchemy 2.1 ``TextClause._bind_params_regex``.  2.0 used ``(?!:)`` as the lookahead, which lets the
# name backtrack (``:foo:`` binds ``fo``); both agree when a name is not followed by ``:``.
_BIND_PARAM = re.compile(r"(?<![:\w\\]):(\w+)(?![:\w])")


def bind_parameter_names(sql: str) -> tuple[str, ...]:
    """Names ``sqlalchemy.text(sql)`` treats as ``:name`` bind parameters, in first-seen order, unique.

    text() ignores quoting, so ``':x'`` inside a literal counts; ``::cast``, ``'10:30'`` and ``\\:x`` do not.
    """
    if not isinstance(sql, str):
        return ()
    try:
        return tuple(dict.fromkeys(m.group(1) for m in _BIND_PARAM.finditer(sql)))
    except Exception:  # defensive
        return ()
