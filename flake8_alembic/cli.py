"""The standalone face: ``flake8-alembic check [PATHS]``, ``rule CODE`` and ``baseline``, shaped like ruff.

Exit codes: 0 no findings (or ``--exit-zero``), 1 findings, 2 usage, configuration or I/O error. Every error is one
line on stderr; no traceback ever reaches the user. This module never imports flake8.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from . import package_version
from .config import (
    CLI_KEYS,
    OUTPUT_FORMATS,
    SETTINGS,
    ConfigError,
    ConfigFile,
    Resolved,
    parse_per_file_ignores,
    parse_selectors,
    read_config,
    suggestion,
)
from .files import DEFAULT_EXCLUDES, PathError, changed_since, default_paths, discover, excluded

if TYPE_CHECKING:
    from .cache import CacheFolders
    from .engine import ProjectCache
    from .output import Finding
    from .resident import Resident
    from .runcache import Journal
    from .selection import Configurations, Selection

# The engine, the rules, the parser, the summary cache and the output formats are imported where they are used:
# a cache hit (runcache) needs none of them, and importing them costs several times what the hit does.

COMMANDS = ("check", "rule", "baseline", "verify", "server")


class UsageError(Exception):
    """A bad command line, configuration or path: one line on stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
    known_options: tuple[str, ...] = ()

    def error(self, message: str) -> NoReturn:
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):
            unknown = message[len(prefix) :].split()
            hints = [
                f"{option}{suggestion(option, self.known_options)}" for option in unknown if option.startswith("-")
            ]
            if hints:
                raise UsageError(f"unrecognized option(s): {', '.join(hints)}; see `flake8-alembic check --help`")
        raise UsageError(message)


class _VersionAction(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        print(f"flake8-alembic {package_version()}")
        parser.exit()


def _globs(value: str) -> tuple[str, ...]:
    return tuple(item for item in value.split(",") if item)


@functools.cache  # parsing leaves a parser as it was: a resident server builds it once
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="flake8-alembic", description="Static checks for Alembic migrations.")
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="print the version and exit")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    check = commands.add_parser("check", help="lint migrations (the default command)")
    check.add_argument("paths", nargs="*", help="files or folders (default: the project's Alembic environments)")
    check.add_argument("--select", type=parse_selectors, help="rule codes or prefixes to report (default: ALM)")
    check.add_argument("--extend-select", type=parse_selectors, help="codes or prefixes to add (opt-in rules)")
    check.add_argument("--ignore", type=parse_selectors, help="codes or prefixes not to report")
    check.add_argument("--extend-ignore", type=parse_selectors, help="codes or prefixes to add to --ignore")
    check.add_argument(
        "--per-file-ignores",
        type=parse_per_file_ignores,
        metavar="GLOB:CODES",
        help="codes to ignore in files matching a glob relative to the working folder (a glob without / matches "
        "file names), e.g. '**/versions/*.py:ALM002'",
    )
    check.add_argument("--exclude", type=_globs, help="patterns to skip, replacing the defaults")
    check.add_argument("--extend-exclude", type=_globs, help="patterns to skip, besides the defaults")
    check.add_argument("--force-exclude", action="store_true", help="apply excludes to paths passed explicitly")
    check.add_argument("--output-format", choices=OUTPUT_FORMATS, help="how findings are printed (default: full)")
    check.add_argument("--output-file", help="write findings to this file instead of standard output")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--statistics", action="store_true", help="print counts per rule instead of findings")
    check.add_argument(
        "--show-settings", action="store_true", help="print the resolved settings, where each comes from, and exit"
    )
    check.add_argument("--config", help="a pyproject.toml (or TOML file) with [tool.flake8-alembic], for every file")
    check.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary")
    check.add_argument("--stdin-filename", help="lint standard input as this path")
    check.add_argument("--changed-since", metavar="REF", help="report only files added or changed since a git ref")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the cache folder")
    check.add_argument(
        "--no-server", action="store_true", help="run in this process even when a server (`server start`) runs"
    )
    check.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        help="processes that summarise migrations on a cold run (default: the CPUs this process may use; 1: none)",
    )
    check.add_argument(
        "--add-noqa", action="store_true", help="add `# noqa: CODE` where each current finding is reported"
    )
    for spec in SETTINGS:
        if spec.key == "preview":  # a switch on the command line, as ruff's --preview
            check.add_argument("--preview", dest="setting_preview", action="store_const", const=True, help=spec.help)
            check.add_argument("--no-preview", dest="setting_preview", action="store_const", const=False)
            continue
        check.add_argument(
            f"--{spec.key}", dest=f"setting_{spec.attribute}", type=spec.parse, metavar=spec.metavar, help=spec.help
        )
    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", nargs="?")
    rule.add_argument("--all", action="store_true", help="print every rule's documentation")
    baseline = commands.add_parser(
        "baseline", help="write today's heads as baseline-revision into [tool.flake8-alembic]"
    )
    baseline.add_argument("paths", nargs="*", help="folders (default: the project's Alembic environments)")
    baseline.add_argument("--config", help="the TOML file to write (default: the project's pyproject.toml)")
    # Parsed by flake8_alembic.verify.command, imported only when the command runs; listed here for --help.
    commands.add_parser(
        "verify", add_help=False, help="run the migrations for real on a throwaway database (executes project code)"
    )
    commands.add_parser(  # parsed by flake8_alembic.client.command
        "server", add_help=False, help="start, stop or ask about a resident process that runs check (faster hooks)"
    )
    options: list[str] = []
    for sub in (parser, check, rule, baseline):
        options.extend(option for action in sub._actions for option in action.option_strings)
    _Parser.known_options = tuple(dict.fromkeys(options))
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, resident: Resident | None = None) -> int:
    """The command; ``resident``: what a server keeps between runs (see ``server``), None in a process of its own."""
    out = stdout or sys.stdout
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        if not arguments or arguments[0] not in (*COMMANDS, "--version", "-h", "--help"):
            _refuse_a_misspelled_command(arguments[0] if arguments else None)
            arguments.insert(0, "check")
        if arguments[0] == "verify":
            from .verify.command import main as verify  # loads SQLAlchemy and Alembic only for this command

            return verify(arguments[1:], out)
        if arguments[0] == "server":
            from .client import command as server

            return server(arguments[1:], out)
        options = build_parser().parse_args(arguments)
        if options.command == "rule":
            return _rule(options, out)
        if options.command == "baseline":
            return _baseline(options, out)
        from .project import roots_remembered

        with roots_remembered():
            return _check(options, out, resident)
    except (UsageError, ConfigError) as error:
        print(f"flake8-alembic: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug of ours: still one line, but named as ours
        print(f"flake8-alembic: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return 2


def _refuse_a_misspelled_command(first: str | None) -> None:
    """``flake8-alembic chek``: a word close to a command that is no path is a typo, not a path to lint."""
    if first is None or first.startswith("-") or os.path.exists(first) or "/" in first or first.endswith(".py"):
        return
    hint = suggestion(first, COMMANDS)
    if hint:
        raise UsageError(f"unknown command {first!r}{hint}; the commands are {', '.join(COMMANDS)}")


def _rule(options: argparse.Namespace, out: TextIO) -> int:
    from .rules.registry import BY_CODE, RULES, documentation

    if options.all:
        out.write("\n\n".join(documentation(rule.code).rstrip() for rule in RULES) + "\n")
        return 0
    if not options.code:
        raise UsageError("rule: give a rule code such as ALM002, or --all for every rule")
    code = options.code.upper()
    if code not in BY_CODE:
        family = [known for known in BY_CODE if known.startswith(code)]
        if family and len(code) >= 3:
            raise UsageError(f"{options.code!r} is a prefix, not a rule: give one of {', '.join(family)}")
        raise UsageError(
            f"unknown rule {options.code!r}{suggestion(code, BY_CODE)}; `flake8-alembic rule --all` lists them"
        )
    out.write(documentation(code))
    return 0


# ---------------------------------------------------------------------------------------------- configuration


def _overrides(options: argparse.Namespace) -> dict[str, object]:
    """What the command line sets, by configuration key."""
    values: dict[str, object] = {
        key: getattr(options, key.replace("-", "_"), None)
        for key in CLI_KEYS
        if hasattr(options, key.replace("-", "_"))
    }
    for spec in SETTINGS:
        values[spec.key] = getattr(options, f"setting_{spec.attribute}", None)
    return {key: value for key, value in values.items() if value is not None}


def _explicit_config(options: argparse.Namespace) -> ConfigFile | None:
    """The configuration ``--config`` names, or None."""
    if not options.config:
        return None
    try:
        return read_config(Path(options.config), required=True)
    except ConfigError as error:
        raise UsageError(f"--config: {error}") from None


def _configurations(options: argparse.Namespace, cwd: Path) -> Configurations:
    from .selection import Configurations

    return Configurations(_overrides(options), cwd, "command line", _explicit_config(options))


# ---------------------------------------------------------------------------------------------- check


@dataclass
class _Run:
    """What a check found: everything printing it needs (what the run cache stores)."""

    findings: list[Finding]
    warnings: list[str]
    migrations: int
    checked: list[str]
    output_format: str
    parsed: int = 0
    """Files summarised by parsing (not found in the summary cache)."""


def _check(options: argparse.Namespace, out: TextIO, resident: Resident | None = None) -> int:
    cwd = Path.cwd()
    if options.show_settings:
        configurations = _configurations(options, cwd)
        home, _ = configurations.for_path(cwd)
        excludes = _excludes(home)
        sources = _sources(options, excludes, cwd)
        from .settings_report import show_settings  # only for --show-settings

        return show_settings(out, [path for path, _ in sources] or [cwd], configurations, excludes, cwd)
    run = _cached_run(options, cwd, resident) if _cacheable(options) else _run(options, cwd, resident=resident)
    for warning in run.warnings:
        print(warning, file=sys.stderr)
    if run.migrations == 0:
        print("warning: no Alembic migrations found under the given path(s)", file=sys.stderr)
    if options.add_noqa:
        return _add_noqa(run.findings, out)
    return _report(run.findings, options, run.output_format, out, run.checked)


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"invalid value {value!r}: a whole number of processes, 1 or more")
    return jobs


def _cpus() -> int:
    """The CPUs this process may run on (its affinity, as ruff counts them)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _excludes(home: Resolved) -> tuple[str, ...]:
    return (home.exclude or DEFAULT_EXCLUDES) + home.extend_exclude


def _run(
    options: argparse.Namespace,
    cwd: Path,
    sources: list[tuple[Path, bytes]] | None = None,
    resident: Resident | None = None,
    journal: Journal | None = None,
) -> _Run:
    """Lint: discover (unless ``sources`` were), summarise, run the rules, select what is reported."""
    configurations = _configurations(options, cwd)
    home, _ = configurations.for_path(cwd)
    if sources is None:
        sources = _sources(options, _excludes(home), cwd)
    from .cache import SummaryStore, content_digest
    from .engine import ProjectCache, paused_gc
    from .reading import RunFiles, whole_file

    changed = _changed(options.changed_since, cwd) if options.changed_since else None
    folders = _cache_folders(home, options)
    files = RunFiles(
        journal.read_bytes if journal else whole_file,
        ((os.path.abspath(path), data) for path, data in sources),
        resident.files if resident is not None else None,
        content_digest,
        journal.note_content if journal else None,
    )
    cache = ProjectCache.for_run(SummaryStore(folders=folders), resident, files)
    cache.summaries.summarise_in_pool(((str(path), source) for path, source in sources), options.jobs or _cpus())
    with paused_gc():
        findings, migrations, warnings = _lint(sources, configurations, cache, cwd, changed)
    if folders is not None:
        folders.prune()
    warnings += _baseline_problems(configurations, cache)
    output_format = options.output_format or home.output_format
    checked = [str(path) for path, _ in sources]
    return _Run(findings, warnings, migrations, checked, output_format, cache.summaries.parsed)


# ---------------------------------------------------------------------------------------------- the run cache


def _cacheable(options: argparse.Namespace) -> bool:
    """Runs whose result the run cache may hold: not those that write files, read standard input, look at git
    history, print settings, or are told not to."""
    return not (
        options.no_cache or options.changed_since or options.add_noqa or options.stdin_filename or options.show_settings
    )


def _cached_run(options: argparse.Namespace, cwd: Path, resident: Resident | None = None) -> _Run:
    """The stored run when its request key matches and its whole input journal holds; else a run, recorded (see
    ``runcache``) and stored. The journal covers discovery too (every folder it listed, every file it read), so a
    hit re-hashes what the run read and never walks the tree again."""
    from . import runcache

    runcache.STATS.clear()
    runcache.STATS.update(hit=False, stored=False, parsed=0, journal=0)
    journal = runcache.Journal()
    with runcache.recording(journal):
        home = _home(options, cwd)
        folder = _run_cache_folder(home, options, cwd)
        run = None
        if folder is not None:
            journal.ignore(str(folder))
            key = runcache.request_key(vars(options), str(cwd), os.environ)
            store = runcache.RunStore(folder)
            with runcache.paused(journal):  # checking the stored journal is not this run's input
                run = _stored_run(store.load(key), options.output_format or home.output_format)
            if run is not None:
                return run
            try:
                sources = _sources(options, _excludes(home), cwd, journal)  # the journal holds discovery
            except UsageError:
                sources = None  # reported by the normal run, in its order (configuration errors first)
            if sources is not None:
                run = _run(options, cwd, sources, resident, journal)
    if run is None or folder is None or sources is None:
        return run or _run(options, cwd, resident=resident)
    runcache.STATS.update(parsed=run.parsed, journal=len(journal.entries))
    if journal.problem is None and journal.still_holds():
        runcache.STATS["stored"] = store.save(
            key, {"format": runcache.FORMAT, "key": key, "journal": journal.as_list(), "report": _encoded_run(run)}
        )
    return run


def _stored_run(payload: dict[str, Any] | None, output_format: str) -> _Run | None:
    """The run a stored entry holds when every input its journal lists is as it was; None otherwise."""
    from . import runcache

    if payload is None or not runcache.holds(map(tuple, payload["journal"]), {}):
        return None
    report = payload["report"]
    checked = report.get("checked")
    if not (isinstance(checked, list) and all(isinstance(path, str) for path in checked)):
        return None
    run = _decoded_run(report, checked, output_format)
    if run is not None:
        runcache.STATS.update(hit=True, journal=len(payload["journal"]))
    return run


def _home(options: argparse.Namespace, cwd: Path) -> Resolved:
    """The working folder's configuration, enough for discovery, the cache folder and the output format: what
    ``Configurations.for_path(cwd)`` resolves, without the rule catalogue (its ``opt_in`` is left empty)."""
    from .config import ConfigFinder, resolve

    explicit = _explicit_config(options)
    return resolve(explicit or ConfigFinder().for_path(cwd), _overrides(options), "command line", cwd, ())


def _run_cache_folder(home: Resolved, options: argparse.Namespace, cwd: Path) -> Path | None:
    """Where the run cache is: the configured ``cache-dir``, else the working folder's project root's cache
    folder; None when the cache is off."""
    if options.no_cache or home.settings.cache is False:
        return None
    if home.settings.cache_dir:
        return Path(home.settings.cache_dir)
    from .project import find_project_root
    from .runcache import CACHE_FOLDER_NAME

    return find_project_root(cwd) / CACHE_FOLDER_NAME


def _encoded_run(run: _Run) -> dict[str, object]:
    docs = {finding.code: finding.docs for finding in run.findings}
    findings = [
        [f.path, f.absolute, f.line, f.col, f.code, f.name, f.message, f.source_line, f.summary] for f in run.findings
    ]
    return {
        "findings": findings,
        "docs": docs,
        "warnings": run.warnings,
        "migrations": run.migrations,
        "checked": run.checked,
    }


def _decoded_run(report: dict[str, object], checked: list[str], output_format: str) -> _Run | None:
    """The run an entry holds; None when anything in it is not what ``_encoded_run`` writes."""
    from .output import Finding

    findings, docs, warnings = report.get("findings"), report.get("docs"), report.get("warnings")
    migrations = report.get("migrations")
    if not (
        isinstance(findings, list)
        and isinstance(docs, dict)
        and isinstance(warnings, list)
        and all(isinstance(warning, str) for warning in warnings)
        and type(migrations) is int
    ):
        return None
    decoded = []
    for item in findings:
        if not (isinstance(item, list) and len(item) == 9):
            return None
        path, absolute, line, col, code, name, message, source_line, summary = item
        texts = (path, absolute, code, name, message, summary)
        if not (
            all(isinstance(text, str) for text in texts)
            and type(line) is int
            and type(col) is int
            and (source_line is None or isinstance(source_line, str))
            and isinstance(docs.get(code), str)
        ):
            return None
        decoded.append(Finding(path, absolute, line, col, code, name, message, source_line, summary, docs[code]))
    return _Run(decoded, list(warnings), migrations, checked, output_format)


def _sources(
    options: argparse.Namespace, excludes: tuple[str, ...], cwd: Path, journal: Journal | None = None
) -> list[tuple[Path, bytes]]:
    """The files to lint and their bytes. With a ``journal`` recording, discovery is recorded as it happens, and
    each file's content is noted from the bytes read here (the journal would otherwise read it a second time)."""
    sources: list[tuple[Path, bytes]] = []
    if options.stdin_filename:
        stdin_path = Path(options.stdin_filename)
        if not (options.force_exclude and excluded(stdin_path, excludes, cwd)):
            sources.append((stdin_path, sys.stdin.buffer.read()))
        return sources
    paths = options.paths or default_paths(cwd, excludes)
    try:
        files, _ = discover(paths, excludes, options.force_exclude, cwd)
    except PathError as error:
        raise UsageError(str(error)) from None
    for path in files:
        try:
            sources.append((path, path.read_bytes() if journal is None else journal.read_bytes(path)))
        except OSError as error:
            raise UsageError(f"cannot read {path}: {error.strerror or error}") from None
    return sources


def _changed(reference: str, cwd: Path) -> set[str]:
    try:
        return changed_since(reference, cwd)
    except PathError as error:
        raise UsageError(str(error)) from None


def _cache_folders(home: Resolved, options: argparse.Namespace) -> CacheFolders | None:
    """The cache folders of this run: off with --no-cache or ``cache = false``; the configured ``cache-dir``
    (flag, environment variable, then the configuration of the working folder); else each project root's."""
    from .cache import CacheFolders

    if options.no_cache or home.settings.cache is False:
        return None
    configured = home.settings.cache_dir
    return CacheFolders(Path(configured) if configured else None)


def _lint(
    sources: list[tuple[Path, bytes]],
    configurations: Configurations,
    cache: ProjectCache,
    cwd: Path,
    changed: set[str] | None,
) -> tuple[list[Finding], int, list[str]]:
    from .engine import is_migration_source, lint_source
    from .noqa import NoqaMap
    from .output import Finding

    findings: list[Finding] = []
    warnings: list[str] = []
    migrations = 0
    for path, source in sources:
        resolved, selection = configurations.for_path(path)
        shown = _display(path, cwd)
        if changed is not None and os.path.abspath(path) not in changed:
            migrations += is_migration_source(source)
            continue
        result = lint_source(str(path), source, resolved.settings, cache)
        migrations += result.is_migration
        lines = result.lines
        if result.failure is not None:
            failure = result.failure
            findings.append(
                Finding(
                    shown,
                    os.path.abspath(path),
                    failure.line,
                    failure.col,
                    "E999",
                    "syntax-error",
                    failure.message,
                    _line(lines, failure.line),
                )
            )
            continue
        if not result.diagnostics:
            continue
        noqa = NoqaMap(result.text)
        warnings.extend(f"{shown}:{warning.line}: warning: {warning.message}" for warning in noqa.warnings())
        for diagnostic in result.diagnostics:
            if not selection.reports(diagnostic.code, path) or noqa.hides(diagnostic.line, diagnostic.code):
                continue
            findings.append(
                _finding(shown, path, lines, diagnostic.line, diagnostic.col, diagnostic.code, diagnostic.message)
            )
    findings.sort(key=lambda finding: (finding.path, finding.line, finding.col, finding.code))
    for _, selection in configurations.resolved.values():
        for code in selection.preview_named_without_preview():
            warnings.append(
                f"warning: {code} is a preview rule: it runs only in preview mode (--preview, or preview = true in "
                "[tool.flake8-alembic])"
            )
        for entry in selection.unused_patterns():
            warnings.append(
                f"warning: per-file-ignores pattern {entry.pattern!r} matches no linted file (it is matched "
                f"against paths relative to {entry.base}; to match a folder at any depth, start it with **/)"
            )
    return findings, migrations, warnings


def _enabled(resolved: Resolved, selection: Selection, path: Path, code: str) -> bool:
    """Whether a rule runs for ``path``: the ones a noqa comment may rightly name."""
    from .rules.registry import BY_CODE, OPT_IN_CODES

    return (
        code in BY_CODE
        and (code not in OPT_IN_CODES or code in resolved.settings.opt_in)
        and selection.reports(code, path)
    )


def _finding(shown: str, path: Path, lines: Sequence[str], line: int, col: int, code: str, message: str) -> Finding:
    from .output import Finding
    from .rules.registry import BY_CODE

    rule = BY_CODE.get(code)
    return Finding(
        shown,
        os.path.abspath(path),
        line,
        _characters(_line(lines, line), col),
        code,
        rule.name if rule else "internal-error",
        message,
        _line(lines, line),
        rule.summary if rule else "",
        _docs(code),
    )


def _baseline_problems(configurations: Configurations, cache: ProjectCache) -> list[str]:
    """An id in ``baseline-revision`` that no environment found knows is an error, not a silent no-op."""
    if cache.history is None:
        return []
    environments = [environment for built in cache.history.environments.values() for environment in built]
    for resolved, _ in configurations.resolved.values():
        for name in resolved.settings.baseline_revision:
            if not any(environment.resolve(name) for environment in environments):
                where = resolved.origins.get("baseline-revision", "")
                found = f"{len(environments)} found" if environments else "none found"
                raise UsageError(
                    f"baseline-revision ({where}): {name!r} is no revision or branch label of the Alembic "
                    f"environments linted ({found})"
                )
    return []


@functools.cache
def _docs(code: str) -> str:
    """A rule's documentation, read once per code (a run on a large history reports the same codes many times)."""
    from .rules.registry import documentation

    try:
        return documentation(code)
    except (OSError, KeyError):
        return ""


def _characters(line: str | None, offset: int) -> int:
    """``ast`` columns count UTF-8 bytes; shown columns count characters (as ruff's do)."""
    if line is None or line.isascii():
        return offset
    return len(line.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))


def _line(lines: Sequence[str], number: int) -> str | None:
    return lines[number - 1] if 1 <= number <= len(lines) else None


def _display(path: Path, cwd: Path) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def _report(
    findings: list[Finding], options: argparse.Namespace, output_format: str, out: TextIO, checked: list[str]
) -> int:
    from .output import render, render_statistics

    if options.statistics:
        text = render_statistics(findings, output_format)
        if output_format != "json" and findings and not options.quiet:
            text += f"Found {len(findings)} error{'s' if len(findings) != 1 else ''}.\n"
    else:
        version = package_version() if output_format == "sarif" else ""
        text = render(output_format, findings, version=version, checked_files=checked, project_root=os.getcwd())
        if options.quiet and output_format in ("full", "concise"):
            kept = [line for line in text.splitlines() if not line.startswith(("Found ", "All checks passed!"))]
            text = "\n".join(kept).rstrip("\n") + ("\n" if kept and any(kept) else "")
    if options.output_file:
        try:
            Path(options.output_file).write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot write {options.output_file}: {error.strerror or error}") from None
    else:
        out.write(text)
    return 1 if findings and not options.exit_zero else 0


def _add_noqa(findings: list[Finding], out: TextIO) -> int:
    from .engine import INTERNAL_ERROR
    from .noqa import add_noqa
    from .parse.module import decode_source

    by_file: dict[str, dict[int, set[str]]] = {}
    for finding in findings:
        if finding.code not in ("E999", INTERNAL_ERROR, "ALM900"):
            by_file.setdefault(finding.absolute, {}).setdefault(finding.line, set()).add(finding.code)
    total = 0
    for path, codes in sorted(by_file.items()):
        try:
            source = Path(path).read_bytes()
            encoding = _encoding(source)
            updated, edits = add_noqa(decode_source(source), codes)
            if edits:
                Path(path).write_bytes(updated.encode(encoding))
        except (OSError, UnicodeError, SyntaxError, LookupError) as error:
            raise UsageError(f"cannot update {path}: {error}") from None
        total += edits
    out.write(f"Added {total} noqa directive{'s' if total != 1 else ''}.\n")
    return 0


def _encoding(source: bytes) -> str:
    """The encoding to write a file back in: its own (a BOM is kept)."""
    import io
    import tokenize

    encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    return encoding


# ---------------------------------------------------------------------------------------------- baseline


def _baseline(options: argparse.Namespace, out: TextIO) -> int:
    from .baseline import write_baseline  # only for this command

    cwd = Path.cwd()
    try:
        target, heads = write_baseline(cwd, options.paths, Path(options.config) if options.config else None)
    except (ConfigError, PathError) as error:
        raise UsageError(str(error)) from None
    out.write(f"wrote baseline-revision = [{', '.join(repr(head) for head in heads)}] into {target}\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
