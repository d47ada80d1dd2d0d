"""Draw the blind-grading sample for the precision evaluation (docs/evaluation.md) and write grading packets.

Usage: python benchmarks/evaluation_sample.py CORPUS --out DIR [--per-rule 20] [--seed 2026] [--codes ALM001,ALM011]
       python benchmarks/evaluation_sample.py EVAL_CORPUS --projects --all-rules --per-rule 40 --per-project 3 \
           --seed S --linter FROZEN/bin/flake8-alembic --exclude-graded benchmarks/evaluation/eval-*.jsonl \
           --exclude-projects aim,aodh,trove

CORPUS is what ../shared/corpus/fetch-corpus prints (one folder per project). The linter is run as a user runs it,
`flake8-alembic check CORPUS --output-format json --select ALM` (the default rule set; `--codes` selects those
codes instead, opt-in ones included). For each code it draws a seeded random sample of `--per-rule` findings
(every finding when there are fewer) and writes into DIR:

- `ALMxxx.md`: the grading packet. First the rule's documentation exactly as `flake8-alembic rule ALMxxx`
  prints it, then the grading instructions, then each sampled finding with its path (relative to CORPUS), line,
  message and code: the whole file when it is short, otherwise the `revision`/`down_revision` header, the
  enclosing top-level function (or 25 lines either side of the finding when the function is long or there is
  none), the matching `upgrade()`/`downgrade()` when short, and the other lines that quote the names the message
  quotes. Line numbers throughout; `>>` marks the finding's line. Nothing about how the rule is implemented.
- `sample.jsonl`: one object per sampled finding (`id`, `code`, `path`, `line`, `column`, `message`).
- `grades-template.jsonl`: the same rows with empty `verdict`, `reason` and `grader`, for the grader to fill in.
- `counts.json`: findings per code on the whole corpus (0 for a selected code without findings), for
  `evaluation_score.py --counts`.

With `--projects` (the evaluation corpus, ../shared/design/evaluation.md), the linter runs once in each project's
own folder with no path, as a user runs it there, so the project's own facts (env.py, pins, application code)
are read; `--per-project` caps the findings drawn from one project, `--exclude-graded` leaves out findings an
earlier round graded (same code, path and line), and `--linter` names the frozen linter's executable. Graders may
open any file of the project to decide whether the hazard can happen there.

Each code's sample depends only on the seed, the code and that code's findings, so adding a rule or changing
another rule does not reshuffle it. DIR receives corpus code: keep it outside the repository (default
/tmp/evaluation) and never commit it.
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from flake8_alembic.rules.registry import BY_CODE, RULES

WHOLE_FILE_LINES = 120
"""Files up to this many lines are shown whole."""
WHOLE_FUNCTION_LINES = 150
"""Top-level functions up to this many lines are shown whole; longer ones as a window around the finding."""
WINDOW = 25
"""Lines shown either side of a finding outside a function, or inside a long one."""
MAX_MENTIONS = 12
"""At most this many further lines quoting a name from the message are shown (each with one line either side)."""
HEADER_NAMES = frozenset({"revision", "down_revision", "branch_labels", "depends_on"})

INSTRUCTIONS = """\
Grade every finding below using this page (the rule's specification above and the code shown){files}.

- **true**: the finding is what the specification says the rule reports, and the hazard it names can happen.
- **false** (a false alarm): the specification says the rule is silent here (an exemption or a listed blind
  spot), or the code is not what the message claims, or the hazard cannot happen on the databases this project
  runs on; for a policy rule (ALM001, ALM002, ALM012, …) also when an exemption the policy states applies.
- **unsure**: the code shown is not enough to decide. Say what is missing.

Write one line of reason for every verdict. Do not look at the linter's source code or tests, and do not
discuss the findings with the rule's author before grading. Record the verdicts in `grades-template.jsonl`
(fields `verdict`: `true` | `false` | `unsure`, `reason`, `grader`).
"""
PROJECT_FILES = """ and, when the code
shown is not enough, the project's own files under `{root}/<project>/` (env.py, alembic.ini, application code,
`*.dist-info/METADATA` with its pinned requirements): TRUE means the claim is right and a careful maintainer of
this project would want to know; FALSE means the claim is wrong, or the hazard cannot happen in this project
(say how the project shows it, e.g. the database it runs on)"""


@dataclass(frozen=True)
class Finding:
    code: str
    path: str
    """Relative to the corpus root, with forward slashes."""
    line: int
    column: int
    message: str

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.message)


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    label: str


def default_codes() -> list[str]:
    """The codes the registry reports by default, read at run time (new rules included)."""
    return [rule.code for rule in RULES if rule.default]


def parse_codes(values: Sequence[str] | None) -> list[str] | None:
    if not values:
        return None
    codes = [code.strip().upper() for value in values for code in value.split(",") if code.strip()]
    unknown = [code for code in codes if code not in BY_CODE]
    if unknown:
        raise SystemExit(f"evaluation_sample: unknown rule code(s): {', '.join(unknown)}")
    return sorted(set(codes))


ALL_RULES = ("--preview", "--select", "ALM", "--extend-select", "ALM0,ALM1,ALM2")
"""Every rule: default, opt-in and preview (opt-in rules are on when named by a prefix longer than ALM)."""


def run_linter(
    corpus: Path, codes: list[str] | None, linter: Sequence[str], selection: Sequence[str] = ()
) -> tuple[list[dict[str, object]], str]:
    """The findings of `flake8-alembic check CORPUS --output-format json` and the linter's standard error."""
    select = selection or ("--preview", "--select", ",".join(codes) if codes else "ALM")
    command = [*linter, "check", str(corpus), "--output-format", "json", *select, "--exit-zero", "--no-cache"]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"evaluation_sample: the linter failed (exit {completed.returncode}):\n{completed.stderr}")
    return json.loads(completed.stdout), completed.stderr


def run_in_projects(
    corpus: Path, codes: list[str] | None, linter: Sequence[str], selection: Sequence[str] = ()
) -> tuple[list[dict[str, object]], str]:
    """The findings of the linter run in each project's own folder with no path (as its maintainers run it)."""
    select = selection or ("--preview", "--select", ",".join(codes) if codes else "ALM")
    found: list[dict[str, object]] = []
    errors: list[str] = []
    for project in sorted(path for path in corpus.iterdir() if path.is_dir() and not path.name.startswith(".")):
        command = [*linter, "check", "--output-format", "json", *select, "--exit-zero", "--no-cache"]
        completed = subprocess.run(command, capture_output=True, text=True, check=False, cwd=project)
        if completed.returncode != 0:
            raise SystemExit(
                f"evaluation_sample: the linter failed in {project} (exit {completed.returncode}):\n{completed.stderr}"
            )
        for item in json.loads(completed.stdout):
            item["filename"] = str((project / str(item["filename"])).resolve())
            found.append(item)
        errors.extend(f"{project.name}: {line}" for line in completed.stderr.splitlines() if line.strip())
    return found, "\n".join(errors)


def rule_page(code: str, linter: Sequence[str]) -> str | None:
    """The rule's documentation exactly as `flake8-alembic rule CODE` prints it; None when it has none yet."""
    command = [*linter, "rule", code]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0 or not completed.stdout.strip():
        print(f"warning: `flake8-alembic rule {code}` failed: {completed.stderr.strip()}", file=sys.stderr)
        return None
    return completed.stdout


def to_findings(raw: Iterable[dict[str, object]], corpus: Path) -> list[Finding]:
    root = corpus.resolve()
    findings = []
    for item in raw:
        location = item["location"]
        assert isinstance(location, dict)
        path = Path(str(item["filename"])).resolve()
        try:
            relative = path.relative_to(root).as_posix()
        except ValueError:
            relative = path.as_posix()
        findings.append(
            Finding(
                code=str(item["code"]),
                path=relative,
                line=int(location["row"]),
                column=int(location["column"]),
                message=str(item["message"]),
            )
        )
    return findings


def draw(findings: list[Finding], code: str, per_rule: int, seed: int, per_project: int | None = None) -> list[Finding]:
    """A seeded sample of one code's findings (all of them when there are at most ``per_rule``), in file order;
    with ``per_project``, at most that many from one project (the first folder of the path)."""
    ordered = sorted(findings, key=lambda finding: finding.sort_key)
    if per_project is None:
        if len(ordered) <= per_rule:
            return ordered
        picked = random.Random(f"{seed}:{code}").sample(ordered, per_rule)
        return sorted(picked, key=lambda finding: finding.sort_key)
    shuffled = random.Random(f"{seed}:{code}").sample(ordered, len(ordered))
    taken: dict[str, int] = defaultdict(int)
    picked = []
    for finding in shuffled:
        project = finding.path.split("/", 1)[0]
        if taken[project] < per_project and len(picked) < per_rule:
            taken[project] += 1
            picked.append(finding)
    return sorted(picked, key=lambda finding: finding.sort_key)


def graded_before(paths: Sequence[Path]) -> set[tuple[str, str, int]]:
    """(code, path, line) of every finding an earlier round graded: never graded again."""
    seen: set[tuple[str, str, int]] = set()
    for path in paths:
        for text in path.read_text(encoding="utf-8").splitlines():
            if text.strip():
                row = json.loads(text)
                seen.add((str(row["code"]), str(row["path"]), int(row["line"])))
    return seen


# --- code context -------------------------------------------------------------------------------------------------


def top_level_spans(tree: ast.Module | None) -> list[tuple[str, int, int]]:
    """(label, first line, last line) of each top-level def and class, decorators included."""
    spans = []
    for node in tree.body if tree else ():
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
            kind = "class " if isinstance(node, ast.ClassDef) else ""
            suffix = "" if kind else "()"
            spans.append((f"{kind}{node.name}{suffix}", first, node.end_lineno or node.lineno))
    return spans


def header_spans(tree: ast.Module | None) -> list[tuple[str, int, int]]:
    """(name, first line, last line) of the module-level revision, down_revision, branch_labels, depends_on."""
    spans = []
    for node in tree.body if tree else ():
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name) and target.id in HEADER_NAMES:
                spans.append((target.id, node.lineno, node.end_lineno or node.lineno))
    return spans


def quoted_names(message: str) -> list[str]:
    names = re.findall(r"\"([^\"\s]{2,80})\"|'([^'\s]{2,80})'", message)
    return list(dict.fromkeys(double or single for double, single in names))


def mention_lines(lines: list[str], names: list[str]) -> list[int]:
    """Line numbers of the lines quoting one of ``names`` as a string literal."""
    patterns = [re.compile(r"""["']""" + re.escape(name) + r"""["']""") for name in names]
    return [number for number, text in enumerate(lines, 1) if any(pattern.search(text) for pattern in patterns)]


def counterpart(name: str) -> str | None:
    """upgrade() ↔ downgrade(), upgrade_<engine>() ↔ downgrade_<engine>()."""
    for this, other in (("upgrade", "downgrade"), ("downgrade", "upgrade")):
        if name == f"{this}()" or name.startswith(f"{this}_"):
            return other + name[len(this) :]
    return None


def context_blocks(lines: list[str], tree: ast.Module | None, finding: Finding) -> tuple[list[Block], list[str]]:
    """The line ranges to show for a finding, and notes about what is left out."""
    total = len(lines)
    line = min(max(finding.line, 1), max(total, 1))
    if total <= WHOLE_FILE_LINES:
        return [Block(1, total, "the whole file")], []
    blocks = [Block(first, last, name) for name, first, last in header_spans(tree)]
    notes: list[str] = []
    functions = top_level_spans(tree)
    enclosing = next(((name, first, last) for name, first, last in functions if first <= line <= last), None)
    if enclosing is None:
        blocks.append(Block(max(1, line - WINDOW), min(total, line + WINDOW), f"lines around line {line}"))
    else:
        name, first, last = enclosing
        if last - first + 1 <= WHOLE_FUNCTION_LINES:
            blocks.append(Block(first, last, f"{name}, whole"))
        else:
            blocks.append(Block(first, first, f"{name}, first line"))
            window = Block(max(first, line - WINDOW), min(last, line + WINDOW), f"{name}, around line {line}")
            blocks.append(window)
            notes.append(f"{name} spans lines {first}-{last} ({last - first + 1} lines); only a part is shown")
        other = counterpart(name)
        for other_name, other_first, other_last in functions:
            if other_name != other:
                continue
            if other_last - other_first + 1 <= WHOLE_FUNCTION_LINES:
                blocks.append(Block(other_first, other_last, f"{other_name}, whole"))
            else:
                notes.append(
                    f"{other_name} spans lines {other_first}-{other_last} ({other_last - other_first + 1} lines); "
                    "not shown except where it quotes a name from the message"
                )
    shown = {number for block in blocks for number in range(block.start, block.end + 1)}
    mentions = [number for number in mention_lines(lines, quoted_names(finding.message)) if number not in shown]
    for number in mentions[:MAX_MENTIONS]:
        blocks.append(Block(max(1, number - 1), min(total, number + 1), "quotes a name from the message"))
    if len(mentions) > MAX_MENTIONS:
        notes.append(f"{len(mentions) - MAX_MENTIONS} more lines quoting a name from the message are not shown")
    return blocks, notes


def merge(blocks: list[Block]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for block in sorted(blocks, key=lambda block: (block.start, block.end)):
        if ranges and block.start <= ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], block.end))
        else:
            ranges.append((block.start, block.end))
    return ranges


def fence_for(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def render_code(lines: list[str], ranges: list[tuple[int, int]], marked: int) -> str:
    width = len(str(len(lines)))
    out: list[str] = []
    previous_end = 0
    for start, end in ranges:
        if start > previous_end + 1:
            out.append(f"{'':>{width}}    ⋮")
        for number in range(start, end + 1):
            marker = ">>" if number == marked else "  "
            out.append(f"{number:>{width}} {marker} {lines[number - 1]}".rstrip())
        previous_end = end
    if previous_end < len(lines):
        out.append(f"{'':>{width}}    ⋮")
    body = "\n".join(out)
    fence = fence_for(body)
    return f"{fence}python\n{body}\n{fence}"


def outline(lines: list[str], tree: ast.Module | None) -> str:
    if tree is None:
        return f"{len(lines)} lines; the file does not parse as Python"
    parts = [f"`{name}` {first}-{last}" for name, first, last in top_level_spans(tree)]
    header = {name for name, _first, _last in header_spans(tree)}
    missing = [name for name in ("revision", "down_revision") if name not in header]
    text = f"{len(lines)} lines; top-level definitions: " + (", ".join(parts) if parts else "none")
    if missing:
        text += "; no module-level " + " or ".join(f"`{name}`" for name in missing)
    return text


def read_source(path: Path) -> tuple[list[str], ast.Module | None]:
    text = path.read_bytes().decode("utf-8", errors="replace")
    try:
        tree: ast.Module | None = ast.parse(text)
    except (SyntaxError, ValueError):
        tree = None
    return text.splitlines(), tree


def finding_section(identifier: str, finding: Finding, corpus: Path) -> str:
    source = corpus / finding.path
    head = [
        f"## {identifier}",
        "",
        f"- **path:** `{finding.path}`",
        f"- **line:** {finding.line} (column {finding.column})",
        f"- **message:** {finding.message}",
    ]
    if not source.is_file():
        return "\n".join([*head, "- **code:** (file not found)", ""])
    lines, tree = read_source(source)
    blocks, notes = context_blocks(lines, tree, finding)
    head.append(f"- **file:** {outline(lines, tree)}")
    head.extend(f"- **note:** {note}" for note in notes)
    code = render_code(lines, merge(blocks), finding.line) if lines else "(empty file)"
    return "\n".join([*head, "", code, "", "**verdict:** … · **reason:** …", ""])


def packet(
    code: str,
    page: str | None,
    chosen: list[Finding],
    ids: list[str],
    total: int,
    corpus: Path,
    seed: int,
    projects: bool = False,
) -> str:
    rule = BY_CODE[code]
    if page is None:
        page = (
            f"# {code} {rule.name}\n\n**NOT GRADEABLE YET:** `flake8-alembic rule {code}` prints no documentation "
            "page for this rule. Regenerate this packet once the page exists."
        )
    intro = [
        page.rstrip("\n"),
        "",
        "---",
        "",
        f"# Findings to grade: {code} {rule.name}",
        "",
        f"{total} findings of {code} in the corpus; "
        + (
            f"all {len(chosen)} are below."
            if len(chosen) == total
            else f"a random sample of {len(chosen)} (seed {seed}) is below."
        ),
        "",
        INSTRUCTIONS.format(files=PROJECT_FILES.format(root=corpus.resolve()) if projects else ""),
    ]
    sections = [finding_section(identifier, finding, corpus) for identifier, finding in zip(ids, chosen)]
    return "\n".join(intro) + "\n" + "\n".join(sections)


def identifiers(code: str, count: int) -> list[str]:
    width = max(2, len(str(count)))
    return [f"{code}-{number:0{width}d}" for number in range(1, count + 1)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--out", type=Path, default=Path("/tmp/evaluation"), help="default /tmp/evaluation")
    parser.add_argument("--per-rule", type=int, default=20, help="findings sampled per code (default 20)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--codes", nargs="+", help="codes to sample (comma or space separated; default: the default rules)"
    )
    parser.add_argument("--all-rules", action="store_true", help="sample the default and the opt-in rules")
    parser.add_argument("--projects", action="store_true", help="run the linter in each project's own folder")
    parser.add_argument("--per-project", type=int, help="at most this many findings of a code from one project")
    parser.add_argument("--linter", help="the linter's executable (default: this checkout's, python -m)")
    parser.add_argument("--exclude-graded", nargs="*", type=Path, default=[], help="grades of earlier rounds")
    parser.add_argument(
        "--exclude-projects",
        default="",
        help="comma-separated project folders never sampled (the projects whose --show-settings is published)",
    )
    args = parser.parse_args(argv)
    if args.per_rule < 1:
        parser.error("--per-rule must be at least 1")
    corpus: Path = args.corpus
    if not corpus.is_dir():
        parser.error(f"not a folder: {corpus}")
    out: Path = args.out.resolve()
    repository = Path(__file__).resolve().parent.parent
    if out == repository or repository in out.parents:
        parser.error(f"{out} is inside the repository; packets hold corpus code and must stay out of it")
    explicit = parse_codes(args.codes)
    codes = explicit or (sorted(BY_CODE) if args.all_rules else default_codes())
    linter = [args.linter] if args.linter else [sys.executable, "-m", "flake8_alembic"]
    selection = ALL_RULES if args.all_rules and not explicit else ()
    run = run_in_projects if args.projects else run_linter
    raw, stderr = run(corpus, explicit, linter, selection)
    excluded = graded_before(args.exclude_graded)
    left_out = {name.strip() for name in args.exclude_projects.split(",") if name.strip()}
    findings = [
        f
        for f in to_findings(raw, corpus)
        if (f.code, f.path, f.line) not in excluded and f.path.split("/", 1)[0] not in left_out
    ]
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_code[finding.code].append(finding)
    unexpected = sorted(set(by_code) - set(codes))
    for code in unexpected:
        print(f"warning: {len(by_code[code])} {code} findings outside the selection, not sampled", file=sys.stderr)
    warnings = [line for line in stderr.splitlines() if line.strip()]
    if warnings:
        print(f"note: the linter wrote {len(warnings)} lines to standard error", file=sys.stderr)

    out.mkdir(parents=True, exist_ok=True)
    counts = {code: len(by_code.get(code, [])) for code in codes}
    (out / "counts.json").write_text(json.dumps(counts, indent=2) + "\n", encoding="utf-8")
    rows: list[dict[str, object]] = []
    print(f"{'code':<8}{'corpus':>8}{'sampled':>9}")
    for code in codes:
        chosen = draw(by_code.get(code, []), code, args.per_rule, args.seed, args.per_project)
        ids = identifiers(code, len(chosen))
        print(f"{code:<8}{counts[code]:>8}{len(chosen):>9}")
        stale = out / f"{code}.md"
        if not chosen:
            stale.unlink(missing_ok=True)
            continue
        text = packet(code, rule_page(code, linter), chosen, ids, counts[code], corpus, args.seed, args.projects)
        stale.write_text(text, encoding="utf-8")
        for identifier, finding in zip(ids, chosen):
            rows.append(
                {
                    "id": identifier,
                    "code": code,
                    "path": finding.path,
                    "line": finding.line,
                    "column": finding.column,
                    "message": finding.message,
                }
            )
    with (out / "sample.jsonl").open("w", encoding="utf-8") as sample:
        sample.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    with (out / "grades-template.jsonl").open("w", encoding="utf-8") as template:
        for row in rows:
            graded = {key: row[key] for key in ("id", "code", "path", "line")}
            graded.update(verdict="", reason="", grader="")
            template.write(json.dumps(graded, ensure_ascii=False) + "\n")
    print(f"{sum(counts.values())} findings, {len(rows)} sampled; packets in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
