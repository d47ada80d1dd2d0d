"""`--add-noqa` writes each comment where both faces read it, never inside a string, merging into the noqa already
on the line; the code is unchanged (same AST), a second run changes nothing, and both faces then report nothing."""

from __future__ import annotations

import ast
import io
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_alembic.cli import main
from flake8_alembic.noqa import NoqaMap, add_noqa, token_ranges

PLACEMENTS = '''"""empty message

Revision ID: 0a1b2c3d4e5f
Revises:
"""
from alembic import op

revision = "0a1b2c3d4e5f"
down_revision = None


def upgrade():
    op.drop_table("plain")
    op.drop_table("long_line_already_excused")  # noqa: E501
    op.drop_table("with_a_comment")  # keep: the legacy table goes
    op.drop_column(
        "orders",
        "legacy",
    )
    op.drop_index(
        "ix_orders_legacy", table_name="orders"
    )  # a comment on the closing line
    op.execute("""
        DROP TABLE IF EXISTS kept;
        DROP TABLE gone
    """)
    op.execute(
        """
        DROP TABLE gone_too
        """
    )
    op.execute("DROP TABLE " \\
               "continued")
    x = "# noqa inside a string is not a comment"; op.drop_table("semicolon")


def downgrade():
    pass
'''


def flake8_codes(folder: Path) -> list[str]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "flake8",
            "--isolated",
            "--alembic-preview=true",
            "--select",
            "ALM",
            "--extend-select",
            "ALM0,ALM1,ALM2",
            ".",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    return [line.split(": ", 1)[1].split()[0] for line in done.stdout.splitlines()]


def check(folder: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    import os

    previous = os.getcwd()
    os.chdir(folder)
    try:
        return main(["check", "--no-cache", "--output-format", "concise", *args], stdout=out), out.getvalue()
    finally:
        os.chdir(previous)


def test_every_placement_is_read_by_both_faces_and_a_rerun_is_clean(tmp_path: Path) -> None:
    path = tmp_path / "versions" / "0a1b2c3d4e5f_placements.py"
    path.parent.mkdir()
    (tmp_path / "env.py").write_text("")
    path.write_text(PLACEMENTS)
    selection = ("--preview", "--select", "ALM", "--extend-select", "ALM0,ALM1,ALM2")
    code, before = check(tmp_path, *selection)
    assert code == 1 and len(flake8_codes(tmp_path)) == len(before.splitlines()) - 1  # "Found N errors."
    assert check(tmp_path, *selection, "--add-noqa") == (0, "Added 10 noqa directives.\n")
    written = path.read_text()
    assert ast.dump(ast.parse(written)) == ast.dump(ast.parse(PLACEMENTS))
    assert check(tmp_path, *selection) == (0, "All checks passed!\n")
    assert flake8_codes(tmp_path) == []
    assert check(tmp_path, *selection, "--add-noqa") == (0, "Added 0 noqa directives.\n")
    assert path.read_text() == written
    lines = written.splitlines()
    assert lines[4] == '"""  # noqa: ALM012'  # after the docstring, never inside it
    assert lines[0] == '"""empty message'
    assert lines[13] == '    op.drop_table("long_line_already_excused")  # noqa: E501, ALM002, ALM206'
    assert lines[14] == '    op.drop_table("with_a_comment")  # keep: the legacy table goes  # noqa: ALM002, ALM206'
    assert lines[15] == "    op.drop_column(  # noqa: ALM002, ALM206"
    assert lines[25] == '    """)  # noqa: ALM002, ALM206'  # the string's own line range ends here
    assert lines[32] == '               "continued")  # noqa: ALM002, ALM206'  # a backslash continuation's last line
    # flake8 reads "# noqa" anywhere in the line's text, strings included: both faces hide this line's findings.
    assert lines[33].endswith('op.drop_table("semicolon")')
    assert "# noqa\n" not in written and "# noqa:ALM" not in written  # never blanket, always full codes


def test_the_token_ranges_are_flake8s() -> None:
    """A multi-line string and a backslash continuation are one range each; a bracketed call is one per line."""
    ranges = token_ranges(PLACEMENTS)
    assert ranges[1] == ranges[5] == (1, 5)
    assert ranges[16] == (16, 16) and ranges[17] == (17, 17)
    assert ranges[23] == ranges[26] == (23, 26)
    assert ranges[27] == (27, 27) and ranges[28] == ranges[30] == (28, 30)
    assert ranges[32] == ranges[33] == (32, 33)


@pytest.mark.parametrize(
    ("line", "codes", "expected"),
    [
        ("op.drop_table('x')  # noqa", {"ALM002"}, "op.drop_table('x')  # noqa"),
        ("op.drop_table('x')  # noqa: ALM0", {"ALM002"}, "op.drop_table('x')  # noqa: ALM0"),
        ("op.drop_table('x')  # noqa:E501,W291", {"ALM002"}, "op.drop_table('x')  # noqa: E501, W291, ALM002"),
        (
            "op.drop_table('x')  # noqa: ALM002 # why",
            {"ALM002", "ALM206"},
            "op.drop_table('x')  # noqa: ALM002, ALM206 # why",
        ),
    ],
    ids=["blanket-stays", "prefix-covers", "merged", "merged-before-a-note"],
)
def test_merging_into_an_existing_noqa(line: str, codes: set[str], expected: str) -> None:
    updated, _ = add_noqa(line + "\n", {1: codes})
    assert updated == expected + "\n"
    assert all(NoqaMap(updated).hides(1, code) for code in codes)
