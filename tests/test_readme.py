"""The README is what the commands do: its "Try it" output is the real output of its command."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()


def test_the_try_it_block_is_the_real_output() -> None:
    command = re.search(r"^python3 -m venv v && v/bin/pip install \. && (v/bin/flake8 .*)$", README, re.MULTILINE)
    assert command is not None, "the README's first set-up command"
    arguments = shlex.split(command.group(1))[1:]
    shown = README.split("The first command prints the policy's incident", 1)[1].split("```\n", 2)[1]
    done = subprocess.run([sys.executable, "-m", "flake8", *arguments], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 1 and done.stderr == ""
    assert done.stdout == shown


def test_the_test_command_is_the_one_ci_runs() -> None:
    command = re.search(
        r"^(python3 -m venv v && v/bin/pip install '\.\[test\]' && v/bin/python -m pytest)$", README, re.MULTILINE
    )
    assert command is not None
    ci = (REPO / ".ci" / "run").read_text()
    assert "v/bin/pip install '.[test]' && v/bin/python -m pytest\n" in ci


def test_no_stale_roadmap_and_the_policy_is_defined() -> None:
    assert "## Roadmap" not in README
    assert "[`docs/policy.md`](docs/policy.md)" in README
    assert (REPO / "docs" / "policy.md").is_file()
