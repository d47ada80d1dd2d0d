"""Classifying SQL text given to ``op.execute`` / ``sa.text`` / ``conn.execute``.

Public interface::

    HOLE = "\\x00"                       stands for each ``{...}`` of an f-string; names holding it are None
    @dataclass(frozen=True) class AlterAction      one sub-action of ALTER TABLE
    @dataclass(frozen=True) class SqlStatement     one classified statement
    split_statements(sql) -> list[str]            statements, stripped, comment-only ones dropped
    classify(sql) -> tuple[SqlStatement, ...]     one record per statement
    bind_parameter_names(sql) -> tuple[str, ...]  names ``sqlalchemy.text()`` reads as ``:name`` binds

This is *not* a SQL parser.  It understands the statement shapes a migration linter needs (CREATE / DROP /
ALTER / REINDEX / TRUNCATE / COMMENT ON, the target of UPDATE / INSERT / DELETE, ALTER TABLE sub-actions,
CREATE TABLE column types).  Anything else is reported with ``verb`` only: unknown means fewer claims.

Lexical rules: ``--`` and (nested) ``/* */`` comments; '...' literals with '' escapes, E'...' literals with
backslash escapes; "..." and `...` quoted identifiers; PostgreSQL dollar quoting ($$...$$, $tag$...$tag$).
An unterminated literal, identifier, comment or dollar quote runs to the end of the text.  Unquoted names
are returned as written (no case folding); quoted parts are unquoted (``"public"."t"`` -> ``public.t``).
No function here raises, and the work is linear in the input (statements are only tokenised as far as
their classification needs, up to ``_MAX_TOKENS`` tokens).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, NamedTuple

from .types import sql_type_ref

__all__ = [
    "HOLE",
    "AlterAction",
    "SqlStatement",
    "bind_parameter_names",
    "classify",
    "split_statements",
]

HOLE: str = "\x00"

_MAX_TOKENS = 50_000


@dataclass(frozen=True)
class AlterAction:
    """One comma-separated sub-action of ``ALTER TABLE``."""

    kind: str  # ADD COLUMN, DROP COLUMN, ALTER COLUMN TYPE, RENAME COLUMN, RENAME TO, DROP CONSTRAINT,
    # ADD CONSTRAINT, SET NOT NULL, DROP NOT NULL, SET DEFAULT, DROP DEFAULT, VALIDATE CONSTRAINT, OTHER
    column: str | None = None
    new_name: str | None = None
    type_text: str | None = None
    using: bool = False
    if_exists: bool = False
    if_not_exists: bool = False
    constraint: str | None = None
    not_valid: bool = False


@dataclass(frozen=True)
class SqlStatement:
    """One classified statement."""

    verb: str
    object_kind: str | None
    names: tuple[str | None, ...]
    if_exists: bool = False
    if_not_exists: bool = False
    concurrently: bool = False
    unique: bool = False
    table: str | None = None
    actions: tuple[AlterAction, ...] = ()
    columns: tuple[tuple[str, str], ...] = ()
    text: str = ""


# --------------------------------------------------------------------------------------------------
# Splitting
# --------------------------------------------------------------------------------------------------

# Everything that cannot end a statement or open a construct needing Python-level handling, including
# complete literals and quoted identifiers, consumed in one C-level match.  The loop stops at ``;``,
# ``/*``, a dollar-quote opening, or an unterminated quote.
_SPLIT_CHUNK = re.compile(
    r"(?:"
    r"[^';\"`$/\-]+"
    r"|(?<=(?<![\w$])[Ee])'[^'\\]*(?:(?:\\.|'')[^'\\]*)*'"
    r"|'[^']*(?:''[^']*)*'"
    r'|"[^"]*(?:""[^"]*)*"'
    r"|`[^`]*`"
    r"|--[^\n]*"
    r"|/(?!\*)"
    r"|-(?!-)"
    r"|(?<=[\w$])\$"
    r"|\$(?!(?:[^\W\d]\w*)?\$)"
    r")*",
    re.S,
)
_DOLLAR_TAG = re.compile(r"\$(?:[^\W\d]\w*)?\$")
_SEPARATORS = re.compile(r"[\s;]+")


def _skip_block_comment(text: str, pos: int) -> int:
    """Index just past the (nested) block comment opening at ``pos``; ``len(text)`` if unterminated."""
    depth = 0
    i = pos
    n = len(text)
    next_open = text.find("/*", i)
    next_close = text.find("*/", i + 2)
    while True:
        if next_open != -1 and next_open < i:
            next_open = text.find("/*", i)
        if next_close != -1 and next_close < i:
            next_close = text.find("*/", i)
        if next_close == -1:
            return n
        if next_open != -1 and next_open < next_close:
            depth += 1
            i = next_open + 2
        else:
            depth -= 1
            i = next_close + 2
            if depth <= 0:
                return i


def _skip_dollar(text: str, pos: int) -> int | None:
    """Index past the dollar-quoted string opening at ``pos``, or ``None`` if no quote opens there."""
    m = _DOLLAR_TAG.match(text, pos)
    if m is None:
        return None
    tag = m.group()
    end = text.find(tag, m.end())
    return len(text) if end == -1 else end + len(tag)


def _split(sql: str) -> list[str]:
    result: list[str] = []
    n = len(sql)
    start = 0
    pos = 0
    while pos < n:
        m = _SPLIT_CHUNK.match(sql, pos)
        pos = m.end() if m is not None else pos
        if pos >= n:
            break
        ch = sql[pos]
        if ch == ";":
            _keep(sql[start:pos], result)
            skipped = _SEPARATORS.match(sql, pos)
            pos = start = skipped.end() if skipped is not None else pos + 1
        elif ch == "/":  # the chunk pattern only stops at "/" for "/*"
            pos = _skip_block_comment(sql, pos)
        elif ch == "$":
            end = _skip_dollar(sql, pos)
            pos = end if end is not None else pos + 1
        else:  # an unterminated quote: the rest of the text belongs to it
            break
    _keep(sql[start:], result)
    return result


def _keep(piece: str, result: list[str]) -> None:
    stripped = piece.strip()
    if not stripped:
        return
    if stripped[0] in "-/" and _Lexer(stripped).get(0) is None:  # only comments
        return
    result.append(stripped)


def split_statements(sql: str) -> list[str]:
    """Split SQL text into statements at top-level ``;``; each stripped, empty / comment-only ones dropped."""
    if not isinstance(sql, str):
        return []
    try:
        return _split(sql)
    except Exception:  # defensive: never raise
        stripped = sql.strip()
        return [stripped] if stripped else []


# --------------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------------


class _Tok(NamedTuple):
    kind: str  # "word", "ident" (quoted identifier, unquoted value), "str", "op"
    value: str
    start: int
    end: int
    key: str = ""  # upper-cased keyword text of a word without HOLE, else ""


_TOKEN = re.compile(
    r"""
    (?:\s+|--[^\n]*)*
    (?:
      (?P<bc>/\*)
    | (?P<estr>(?<![\w$])[Ee]'[^'\\]*(?:(?:\\.|'')[^'\\]*)*(?:'|\Z))
    | (?P<str>'[^']*(?:''[^']*)*(?:'|\Z))
    | (?P<dq>"[^"]*(?:""[^"]*)*(?:"|\Z))
    | (?P<bq>`[^`]*(?:`|\Z))
    | (?P<dollar>(?<![\w$])\$(?:[^\W\d]\w*)?\$)
    | (?P<word>[\w\x00$]+)
    | (?P<op>::|.)
    )?
    """,
    re.S | re.X,
)


class _Lexer:
    """Lazy tokenizer: statements are only tokenised as far as their classification needs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.tokens: list[_Tok] = []
        self.done = False

    def get(self, index: int) -> _Tok | None:
        tokens = self.tokens
        if index < len(tokens):
            return tokens[index]
        while len(tokens) <= index and not self.done:
            self._advance()
        return tokens[index] if index < len(tokens) else None

    def fill_all(self) -> bool:
        """Tokenise everything (up to the cap); False when the cap was hit."""
        self.get(_MAX_TOKENS)
        return len(self.tokens) <= _MAX_TOKENS

    def _advance(self) -> None:
        """Append the next token, or set ``done``."""
        if len(self.tokens) > _MAX_TOKENS:
            self.done = True
            return
        text = self.text
        while True:
            m = _TOKEN.match(text, self.pos)
            kind = m.lastgroup if m is not None else None
            if m is None or kind is None:  # only whitespace / line comments remain
                self.done = True
                return
            start = m.start(kind)
            end = m.end()
            if kind == "bc":
                self.pos = _skip_block_comment(text, start)
                continue
            if kind == "dollar":
                stop = _skip_dollar(text, start)
                self.pos = stop if stop is not None else end
                self.tokens.append(_Tok("str", text[start : self.pos], start, self.pos))
                return
            self.pos = end
            raw = text[start:end]
            if kind == "dq":
                body = raw[1:-1] if len(raw) >= 2 and raw.endswith('"') else raw[1:]
                self.tokens.append(_Tok("ident", body.replace('""', '"'), start, end))
            elif kind == "bq":
                body = raw[1:-1] if len(raw) >= 2 and raw.endswith("`") else raw[1:]
                self.tokens.append(_Tok("ident", body, start, end))
            elif kind == "estr":
                self.tokens.append(_Tok("str", raw, start, end))
            elif kind == "word":
                key = "" if HOLE in raw else raw.upper()
                self.tokens.append(_Tok(kind, raw, start, end, key))
            else:
                self.tokens.append(_Tok(kind, raw, start, end))
            return


class _Bail(Exception):
    """A HOLE sits where a keyword may be: claim nothing beyond the verb."""


def _upper(tok: _Tok | None) -> str:
    """Upper-cased keyword text of a plain word token (never matches a HOLE-containing word)."""
    return "" if tok is None else tok.key


def _is_name_tok(tok: _Tok | None) -> bool:
    return tok is not None and tok.kind in ("word", "ident")


def _is_op(tok: _Tok | None, value: str) -> bool:
    return tok is not None and tok.kind == "op" and tok.value == value


class _Cursor:
    """Keyword matching at a position ``i`` of a token sequence; subclasses say how to reach token ``k`` ahead."""

    i: int

    def token_at(self, k: int = 0) -> _Tok | None:
        raise NotImplementedError

    def kw(self, k: int = 0) -> str:
        return _upper(self.token_at(k))

    def accept(self, *words: str) -> bool:
        if self.kw() in words:
            self.i += 1
            return True
        return False

    def accept_seq(self, *words: str) -> bool:
        if all(self.kw(k) == w for k, w in enumerate(words)):
            self.i += len(words)
            return True
        return False


class _Parser(_Cursor):
    def __init__(self, lexer: _Lexer, start: int = 1) -> None:
        self.lx = lexer
        self.i = start

    def peek(self, k: int = 0) -> _Tok | None:
        j = self.i + k
        tokens = self.lx.tokens
        return tokens[j] if j < len(tokens) else self.lx.get(j)

    token_at = peek

    def at_end(self) -> bool:
        return self.peek() is None

    def name(self) -> tuple[bool, str | None]:
        """A possibly qualified name: (found, name or None when it contains a HOLE)."""
        tok = self.peek()
        if not _is_name_tok(tok):
            return False, None
        parts: list[str] = []
        while True:
            assert tok is not None
            parts.append(tok.value)
            self.i += 1
            if _is_op(self.peek(), ".") and _is_name_tok(self.peek(1)):
                self.i += 1
                tok = self.peek()
                continue
            break
        joined = ".".join(parts)
        return True, (None if HOLE in joined else joined)

    def skip_parens(self) -> bool:
        """Skip a balanced parenthesised group starting at the current token."""
        if not _is_op(self.peek(), "("):
            return False
        depth = 0
        while True:
            tok = self.peek()
            if tok is None:
                return True
            if tok.kind == "op":
                if tok.value == "(":
                    depth += 1
                elif tok.value == ")":
                    depth -= 1
                    if depth == 0:
                        self.i += 1
                        return True
            self.i += 1


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


def _object_kind(p: _Parser) -> str | None:
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


# Words that end the type part of a column definition.
_TYPE_STOP = frozenset(
    {
        "CONSTRAINT",
        "NOT",
        "NULL",
        "DEFAULT",
        "PRIMARY",
        "REFERENCES",
        "UNIQUE",
        "CHECK",
        "COLLATE",
        "GENERATED",
        "AUTO_INCREMENT",
        "AUTOINCREMENT",
        "COMMENT",
        "ON",
        "IDENTITY",
        "AS",
        "STORED",
        "VIRTUAL",
        "CHARSET",
        "COMPRESSION",
        "STORAGE",
        "DEFERRABLE",
        "INITIALLY",
        "USING",
        "FIRST",
        "AFTER",
        "KEY",
        "VISIBLE",
        "INVISIBLE",
        "SRID",
    }
)
_TABLE_CONSTRAINT_START = frozenset(
    {"CONSTRAINT", "PRIMARY", "FOREIGN", "UNIQUE", "CHECK", "EXCLUDE", "LIKE", "PERIOD"}
)
_INDEX_WORDS = frozenset({"INDEX", "KEY", "FULLTEXT", "SPATIAL"})


def _type_text(text: str, toks: list[_Tok]) -> str | None:
    """The type part of ``toks`` (a column definition after its name), whitespace-normalised."""
    depth = 0
    last = -1
    for idx, tok in enumerate(toks):
        if tok.kind == "op":
            if tok.value in "([":
                depth += 1
            elif tok.value in ")]":
                depth -= 1
        if depth == 0 and tok.kind == "word":
            word = _upper(tok)
            if word in _TYPE_STOP:
                break
            if word == "CHARACTER" and _upper(toks[idx + 1] if idx + 1 < len(toks) else None) == "SET":
                break
        last = idx
    if last < 0:
        return None
    return " ".join(text[toks[0].start : toks[last].end].split())


def _split_top_level(toks: list[_Tok]) -> list[list[_Tok]]:
    """Split tokens at commas outside parentheses/brackets."""
    parts: list[list[_Tok]] = []
    current: list[_Tok] = []
    depth = 0
    for tok in toks:
        if tok.kind == "op":
            if tok.value in "([":
                depth += 1
            elif tok.value in ")]":
                depth -= 1
            elif tok.value == "," and depth <= 0:
                parts.append(current)
                current = []
                continue
        current.append(tok)
    parts.append(current)
    return [part for part in parts if part]


def _single_name(tok: _Tok | None) -> str | None:
    if not _is_name_tok(tok):
        return None
    assert tok is not None
    return None if HOLE in tok.value else tok.value


def _looks_like_column(toks: list[_Tok]) -> bool:
    """``key VARCHAR(50)`` is a column named key; ``KEY ix (a)`` is a MySQL index definition."""
    if len(toks) < 2 or toks[1].kind != "word":
        return False
    return sql_type_ref(toks[1].value).family != "unknown"


def _column_defs(text: str, body: list[_Tok]) -> tuple[tuple[str, str], ...]:
    columns: list[tuple[str, str]] = []
    for element in _split_top_level(body):
        first = _upper(element[0])
        if first in _TABLE_CONSTRAINT_START:
            continue
        if first in _INDEX_WORDS and not _looks_like_column(element):
            continue
        name = _single_name(element[0])
        if name is None or len(element) < 2:
            continue
        type_text = _type_text(text, element[1:])
        if type_text is not None:
            columns.append((name, type_text))
    return tuple(columns)


def _has_seq(toks: list[_Tok], *words: str) -> bool:
    n = len(words)
    return any(all(_upper(toks[idx + k]) == words[k] for k in range(n)) for idx in range(len(toks) - n + 1))


# --------------------------------------------------------------------------------------------------
# ALTER TABLE actions
# --------------------------------------------------------------------------------------------------

_ALTER_TABLE_ACTION_WORDS = frozenset(
    {
        "ADD",
        "DROP",
        "ALTER",
        "MODIFY",
        "CHANGE",
        "RENAME",
        "VALIDATE",
        "SET",
        "RESET",
        "OWNER",
        "ENABLE",
        "DISABLE",
        "CLUSTER",
        "INHERIT",
        "NO",
        "OF",
        "NOT",
        "REPLICA",
        "FORCE",
        "ATTACH",
        "DETACH",
        "ALGORITHM",
        "LOCK",
        "ENGINE",
        "CONVERT",
        "DEFAULT",
        "CHARACTER",
        "AUTO_INCREMENT",
        "COMMENT",
        "ORDER",
    }
)
_CONSTRAINT_START = frozenset({"CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "EXCLUDE"})


class _ActionParser(_Cursor):
    def __init__(self, text: str, toks: list[_Tok]) -> None:
        self.text = text
        self.toks = toks
        self.i = 0

    def tok(self, k: int = 0) -> _Tok | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    token_at = tok

    def column(self) -> tuple[bool, str | None]:
        tok = self.tok()
        if not _is_name_tok(tok):
            return False, None
        self.i += 1
        return True, _single_name(tok)

    def rest(self) -> list[_Tok]:
        return self.toks[self.i :]


def _action(text: str, toks: list[_Tok]) -> AlterAction:
    a = _ActionParser(text, toks)
    first = a.kw()
    other = AlterAction("OTHER")
    if not first:
        return other
    a.i = 1
    if first == "ADD":
        if a.kw() in _CONSTRAINT_START:
            constraint = None
            if a.accept("CONSTRAINT"):
                constraint = _single_name(a.tok())
            return AlterAction("ADD CONSTRAINT", constraint=constraint, not_valid=_has_seq(a.rest(), "NOT", "VALID"))
        explicit = a.accept("COLUMN")
        if_not_exists = a.accept_seq("IF", "NOT", "EXISTS")
        if not explicit and a.kw() in _INDEX_WORDS | {"PARTITION"} and not _looks_like_column(a.rest()):
            return other
        found, column = a.column()
        if not found:
            return other
        type_text = _type_text(text, a.rest()) if a.rest() else None
        return AlterAction("ADD COLUMN", column=column, type_text=type_text, if_not_exists=if_not_exists)
    if first == "DROP":
        if a.accept("CONSTRAINT"):
            if_exists = a.accept_seq("IF", "EXISTS")
            found, constraint = a.column()
            if not found:
                return other
            return AlterAction("DROP CONSTRAINT", constraint=constraint, if_exists=if_exists)
        explicit = a.accept("COLUMN")
        if not explicit and a.kw() in {"INDEX", "KEY", "PRIMARY", "FOREIGN", "CHECK", "PARTITION", "DEFAULT"}:
            return other
        if_exists = a.accept_seq("IF", "EXISTS")
        found, column = a.column()
        if not found:
            return other
        return AlterAction("DROP COLUMN", column=column, if_exists=if_exists)
    if first == "ALTER":
        if a.kw() == "CONSTRAINT":
            return other
        a.accept("COLUMN")
        found, column = a.column()
        if not found:
            return other
        if a.accept("TYPE") or a.accept_seq("SET", "DATA", "TYPE"):
            rest = a.rest()
            return AlterAction(
                "ALTER COLUMN TYPE",
                column=column,
                type_text=_type_text(text, rest) if rest else None,
                using=any(_upper(tok) == "USING" for tok in rest),
            )
        if a.accept_seq("SET", "NOT", "NULL"):
            return AlterAction("SET NOT NULL", column=column)
        if a.accept_seq("DROP", "NOT", "NULL"):
            return AlterAction("DROP NOT NULL", column=column)
        if a.accept_seq("SET", "DEFAULT"):
            return AlterAction("SET DEFAULT", column=column)
        if a.accept_seq("DROP", "DEFAULT"):
            return AlterAction("DROP DEFAULT", column=column)
        return AlterAction("OTHER", column=column)
    if first == "MODIFY":
        a.accept("COLUMN")
        found, column = a.column()
        if not found:
            return other
        rest = a.rest()
        type_text = _type_text(text, rest) if rest else None
        return AlterAction("ALTER COLUMN TYPE", column=column, type_text=type_text)
    if first == "CHANGE":
        a.accept("COLUMN")
        found, column = a.column()
        found_new, new_name = a.column()
        if not (found and found_new):
            return other
        rest = a.rest()
        return AlterAction(
            "RENAME COLUMN",
            column=column,
            new_name=new_name,
            type_text=_type_text(text, rest) if rest else None,
        )
    if first == "RENAME":
        if a.accept("TO", "AS"):
            found, new_name = a.column()
            return AlterAction("RENAME TO", new_name=new_name) if found else other
        if a.accept("CONSTRAINT"):
            found, old = a.column()
            if found and a.accept("TO"):
                return AlterAction("OTHER", constraint=old, new_name=_single_name(a.tok()))
            return other
        if a.kw() in ("INDEX", "KEY"):
            return other
        a.accept("COLUMN")
        found, column = a.column()
        if found and a.accept("TO"):
            found_new, new_name = a.column()
            if found_new:
                return AlterAction("RENAME COLUMN", column=column, new_name=new_name)
        return other
    if first == "VALIDATE" and a.accept("CONSTRAINT"):
        found, constraint = a.column()
        return AlterAction("VALIDATE CONSTRAINT", constraint=constraint) if found else other
    return other


# --------------------------------------------------------------------------------------------------
# Statement handlers
# --------------------------------------------------------------------------------------------------


def _create(p: _Parser, verb: str, text: str) -> SqlStatement | None:
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
                raise _Bail
            names = (name,)
        p.i += 1  # ON
        p.accept("ONLY")
        found, table = p.name()
        if not found:
            raise _Bail
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
        if name is None and not (p.at_end() or _is_op(p.peek(), "(")) and p.kw() not in follows:
            raise _Bail
        if _is_op(p.peek(), "("):
            columns = _table_body(p)
    elif found and kind == "POLICY" and p.accept("ON"):
        _, table = p.name()
    elif found and kind == "TRIGGER":
        for _ in range(64):
            tok = p.peek()
            if tok is None:
                break
            p.i += 1
            if _upper(tok) == "ON":
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


def _table_body(p: _Parser) -> tuple[tuple[str, str], ...]:
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
    return _column_defs(lexer.text, lexer.tokens[start + 1 : j])


def _drop(p: _Parser, verb: str, text: str) -> SqlStatement | None:
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
            if _is_op(p.peek(), ","):
                p.i += 1
                continue
            if name is None and not p.at_end() and p.kw() not in ("CASCADE", "RESTRICT", "ON"):
                raise _Bail
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


def _alter(p: _Parser, verb: str, text: str) -> SqlStatement | None:
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
    nxt = _upper(p.peek())
    if name is None and nxt and nxt not in _ALTER_TABLE_ACTION_WORDS:
        raise _Bail
    actions: tuple[AlterAction, ...] = ()
    lexer = p.lx
    if lexer.fill_all():
        rest = lexer.tokens[p.i :]
        actions = tuple(_action(lexer.text, part) for part in _split_top_level(rest))
    return SqlStatement(verb, kind, (name,), if_exists=if_exists, table=name, actions=actions, text=text)


def _reindex(p: _Parser, verb: str, text: str) -> SqlStatement | None:
    concurrently = False
    if _is_op(p.peek(), "("):
        start = p.i
        p.skip_parens()
        for j in range(start, p.i):
            if _upper(p.lx.get(j)) == "CONCURRENTLY":
                concurrently = _upper(p.lx.get(j + 1)) not in ("FALSE", "OFF", "0")
    kind = p.kw()
    if kind not in ("INDEX", "TABLE", "SCHEMA", "DATABASE", "SYSTEM"):
        return None
    p.i += 1
    concurrently = p.accept("CONCURRENTLY") or concurrently
    found, name = p.name()
    return SqlStatement(verb, kind, (name,) if found else (), concurrently=concurrently, text=text)


def _update(p: _Parser, verb: str, text: str) -> SqlStatement | None:
    while p.accept("LOW_PRIORITY", "IGNORE"):
        pass
    p.accept("ONLY")
    _, table = p.name()
    return SqlStatement(verb, None, (), table=table, text=text)


def _insert(p: _Parser, verb: str, text: str) -> SqlStatement | None:
    while p.accept("LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE"):
        pass
    p.accept("INTO")
    _, table = p.name()
    return SqlStatement(verb, None, (), table=table, text=text)


def _delete(p: _Parser, verb: str, text: str) -> SqlStatement | None:
    while p.accept("LOW_PRIORITY", "QUICK", "IGNORE"):
        pass
    if not p.accept("FROM"):
        return None
    p.accept("ONLY")
    _, table = p.name()
    return SqlStatement(verb, None, (), table=table, text=text)


def _truncate(p: _Parser, verb: str, text: str) -> SqlStatement | None:
    p.accept("TABLE")
    names: list[str | None] = []
    while True:
        p.accept("ONLY")
        found, name = p.name()
        if not found:
            break
        names.append(name)
        p.accept("*")
        if not _is_op(p.peek(), ","):
            break
        p.i += 1
    return SqlStatement(verb, "TABLE", tuple(names), text=text)


def _comment(p: _Parser, verb: str, text: str) -> SqlStatement | None:
    if not p.accept("ON"):
        return None
    kind = _object_kind(p)
    if kind is None:
        return None
    found, name = p.name()
    return SqlStatement(verb, kind, (name,) if found else (), text=text)


_HANDLERS: Mapping[str, Callable[[_Parser, str, str], SqlStatement | None]] = MappingProxyType(
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
    lexer = _Lexer(text)
    verb = _upper(lexer.get(0))
    handler = _HANDLERS.get(verb)
    result: SqlStatement | None = None
    if handler is not None:
        try:
            result = handler(_Parser(lexer), verb, text)
        except Exception:  # _Bail, or anything unexpected: claim nothing beyond the verb
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
