"""The sub-actions of ``ALTER TABLE`` (ADD/DROP/ALTER/MODIFY/CHANGE/RENAME/VALIDATE …), one reader per
first word."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Callable, Final

from .definitions import INDEX_WORDS, column_type_text, looks_like_column
from .lexer import Cursor, Token, has_seq, is_name_tok, keyword_of, single_name
from .records import AlterAction

ALTER_TABLE_ACTION_WORDS = frozenset(
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


class ActionParser(Cursor):
    def __init__(self, text: str, toks: list[Token]) -> None:
        self.text = text
        self.toks = toks
        self.i = 0

    def tok(self, k: int = 0) -> Token | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    token_at = tok

    def column(self) -> tuple[bool, str | None]:
        tok = self.tok()
        if not is_name_tok(tok):
            return False, None
        self.i += 1
        return True, single_name(tok)

    def rest(self) -> list[Token]:
        return self.toks[self.i :]


OTHER = AlterAction("OTHER")
"""A sub-action the linter does not need to understand."""


def alter_action(text: str, toks: list[Token]) -> AlterAction:
    """One comma-separated sub-action of ``ALTER TABLE``, read by the reader of its first word."""
    a = ActionParser(text, toks)
    reader = _READERS.get(a.kw())
    if reader is None:
        return OTHER
    a.i = 1
    return reader(a, text)


def _add(a: ActionParser, text: str) -> AlterAction:
    if a.kw() in _CONSTRAINT_START:
        constraint = None
        if a.accept("CONSTRAINT"):
            constraint = single_name(a.tok())
        return AlterAction("ADD CONSTRAINT", constraint=constraint, not_valid=has_seq(a.rest(), "NOT", "VALID"))
    explicit = a.accept("COLUMN")
    if_not_exists = a.accept_seq("IF", "NOT", "EXISTS")
    if not explicit and a.kw() in INDEX_WORDS | {"PARTITION"} and not looks_like_column(a.rest()):
        return OTHER
    found, column = a.column()
    if not found:
        return OTHER
    type_text = column_type_text(text, a.rest()) if a.rest() else None
    return AlterAction("ADD COLUMN", column=column, type_text=type_text, if_not_exists=if_not_exists)


def _drop(a: ActionParser, text: str) -> AlterAction:
    if a.accept("CONSTRAINT"):
        if_exists = a.accept_seq("IF", "EXISTS")
        found, constraint = a.column()
        if not found:
            return OTHER
        return AlterAction("DROP CONSTRAINT", constraint=constraint, if_exists=if_exists)
    explicit = a.accept("COLUMN")
    if not explicit and a.kw() in {"INDEX", "KEY", "PRIMARY", "FOREIGN", "CHECK", "PARTITION", "DEFAULT"}:
        return OTHER
    if_exists = a.accept_seq("IF", "EXISTS")
    found, column = a.column()
    if not found:
        return OTHER
    return AlterAction("DROP COLUMN", column=column, if_exists=if_exists)


def _alter(a: ActionParser, text: str) -> AlterAction:
    if a.kw() == "CONSTRAINT":
        return OTHER
    a.accept("COLUMN")
    found, column = a.column()
    if not found:
        return OTHER
    if a.accept("TYPE") or a.accept_seq("SET", "DATA", "TYPE"):
        rest = a.rest()
        return AlterAction(
            "ALTER COLUMN TYPE",
            column=column,
            type_text=column_type_text(text, rest) if rest else None,
            using=any(keyword_of(tok) == "USING" for tok in rest),
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


def _modify(a: ActionParser, text: str) -> AlterAction:
    """MySQL's ``MODIFY [COLUMN] name TYPE …``."""
    a.accept("COLUMN")
    found, column = a.column()
    if not found:
        return OTHER
    rest = a.rest()
    type_text = column_type_text(text, rest) if rest else None
    return AlterAction("ALTER COLUMN TYPE", column=column, type_text=type_text)


def _change(a: ActionParser, text: str) -> AlterAction:
    """MySQL's ``CHANGE [COLUMN] old new TYPE …``."""
    a.accept("COLUMN")
    found, column = a.column()
    found_new, new_name = a.column()
    if not (found and found_new):
        return OTHER
    rest = a.rest()
    return AlterAction(
        "RENAME COLUMN",
        column=column,
        new_name=new_name,
        type_text=column_type_text(text, rest) if rest else None,
    )


def _rename(a: ActionParser, text: str) -> AlterAction:
    if a.accept("TO", "AS"):
        found, new_name = a.column()
        return AlterAction("RENAME TO", new_name=new_name) if found else OTHER
    if a.accept("CONSTRAINT"):
        found, old = a.column()
        if found and a.accept("TO"):
            return AlterAction("OTHER", constraint=old, new_name=single_name(a.tok()))
        return OTHER
    if a.kw() in ("INDEX", "KEY"):
        return OTHER
    a.accept("COLUMN")
    found, column = a.column()
    if found and a.accept("TO"):
        found_new, new_name = a.column()
        if found_new:
            return AlterAction("RENAME COLUMN", column=column, new_name=new_name)
    return OTHER


def _validate(a: ActionParser, text: str) -> AlterAction:
    if not a.accept("CONSTRAINT"):
        return OTHER
    found, constraint = a.column()
    return AlterAction("VALIDATE CONSTRAINT", constraint=constraint) if found else OTHER


_READERS: Final[Mapping[str, Callable[[ActionParser, str], AlterAction]]] = {
    "ADD": _add,
    "DROP": _drop,
    "ALTER": _alter,
    "MODIFY": _modify,
    "CHANGE": _change,
    "RENAME": _rename,
    "VALIDATE": _validate,
}
