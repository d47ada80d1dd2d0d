"""The flake8 plugin and the standalone command report the same findings on a corpus.

Usage: python benchmarks/faces_agree.py CORPUS_DIR   (flake8 with this plugin installed in the same environment)
Compares (file, line, code) over every version file, all rules including opt-in ones; prints the differences.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flake8_alembic.rules.registry import OPT_IN_CODES


def main() -> int:
    corpus = Path(sys.argv[1]).resolve()
    files = sorted(str(p) for p in corpus.rglob("*.py") if "versions" in p.parts and ".wheels" not in p.parts)
    opt_in = ",".join(sorted(OPT_IN_CODES))
    flake8 = subprocess.run(
        [
            sys.executable,
            "-m",
            "flake8",
            "--isolated",
            "--select",
            "ALM",
            "--extend-select",
            opt_in,
            "--format",
            "%(path)s\t%(row)d\t%(code)s",
            *files,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    plugin = {tuple(line.split("\t")) for line in flake8.stdout.splitlines() if line.count("\t") == 2}
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "flake8_alembic",
            "check",
            "--select",
            "ALM",
            "--extend-select",
            opt_in,
            "--output-format",
            "json",
            *files,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    command = {(r["filename"], str(r["location"]["row"]), r["code"]) for r in json.loads(cli.stdout)}
    plugin = {(str(Path(path).resolve()), row, code) for path, row, code in plugin}
    print(f"{len(files)} files; plugin {len(plugin)} findings, command {len(command)} findings")
    for item in sorted(plugin - command)[:20]:
        print("only flake8: ", *item)
    for item in sorted(command - plugin)[:20]:
        print("only command:", *item)
    same = plugin == command
    print("identical" if same else f"{len(plugin ^ command)} differences")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
