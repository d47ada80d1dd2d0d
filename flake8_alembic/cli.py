"""The standalone face: ``flake8-alembic check [PATHS]`` and ``flake8-alembic rule CODE``, shaped like ruff.

Exit codes: 0 no findings (or ``--exit-zero``), 1 findings, 2 usage, configuration or I/O error. Every error is one
line on stderr; no traceback ever reaches the user. This module never imports flake8.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TextIO

from . import package_version
from .cache import DiskCache, SummaryStore, project_cache
from .config import (
    CLI_KEYS,
    OUTPUT_FORMATS,
    SETTINGS,
    ConfigError,
    Settings,
    explicit_opt_in,
    find_pyproject,
    load_pyproject,
    parse_per_file_ignores,
    parse_selectors,
)
from .engine import INTERNAL_ERROR, ProjectCache, lint_source
from .files import DEFAULT_EXCLUDES, PathError, changed_since, default_paths, discover, excluded
from .migration import decode_source
from .noqa import NoqaMap, add_noqa
from .output import Finding, render, render_statistics
from .project import find_project_root
from .rules.registry import BY_CODE, OPT_IN_CODES, RULES, documentation


class UsageError(Exception):
    """A bad command line, configuration or path: one line on stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


class _VersionAction(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        print(f"flake8-alembic {package_version()}")
        parser.exit()


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
        help="codes to ignore in files matching a glob, e.g. 'versions/0001_*.py:ALM002'",
    )
    check.add_argument(
        "--exclude",
        type=lambda value: tuple(v for v in value.split(",") if v),
        help="patterns to skip, replacing the defaults",
    )
    check.add_argument(
        "--extend-exclude",
        type=lambda value: tuple(v for v in value.split(",") if v),
        help="patterns to skip, besides the defaults",
    )
    check.add_argument("--force-exclude", action="store_true", help="apply excludes to paths passed explicitly")
    check.add_argument("--output-format", choices=OUTPUT_FORMATS, help="how findings are printed (default: full)")
    check.add_argument("--output-file", help="write findings to this file instead of standard output")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    check.add_argument("--statistics", action="store_true", help="print counts per rule instead of findings")
    check.add_argument("--show-settings", action="store_true", help="print the resolved settings and exit")
    check.add_argument("--config", help="a pyproject.toml (or TOML file) with [tool.flake8-alembic]")
    check.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary")
    check.add_argument("--stdin-filename", help="lint standard input as this path")
    check.add_argument("--changed-since", metavar="REF", help="report only files added or changed since a git ref")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write .flake8_alembic_cache/")
    check.add_argument("--add-noqa", action="store_true", help="append `# noqa: CODE` to every current finding")
    for spec in SETTINGS:
        check.add_argument(
            f"--{spec.key}", dest=f"setting_{spec.attribute}", type=spec.parse, metavar=spec.metavar, help=spec.help
        )
    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", nargs="?")
    rule.add_argument("--all", action="store_true", help="print every rule's documentation")
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] not in ("check", "rule", "--version", "-h", "--help"):
        arguments.insert(0, "check")
    try:
        options = build_parser().parse_args(arguments)
        if options.command == "rule":
            return _rule(options, out)
        return _check(options, out)
    except UsageError as error:
        print(f"flake8-alembic: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        print(f"flake8-alembic: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return 2


def _rule(options: argparse.Namespace, out: TextIO) -> int:
    if options.all:
        out.write("\n\n".join(documentation(rule.code).rstrip() for rule in RULES) + "\n")
        return 0
    code = (options.code or "").upper()
    if code not in BY_CODE:
        raise UsageError(f"unknown rule {options.code!r}; run `flake8-alembic rule --all` to list the rules")
    out.write(documentation(code))
    return 0


@dataclass(frozen=True)
class Selection:
    """Which codes are reported: ruff's rules (the more specific selector wins; on a tie, ignore wins)."""

    select: tuple[str, ...]
    ignore: tuple[str, ...]
    per_file: tuple[tuple[str, tuple[str, ...]], ...]

    def reports(self, code: str, path: Path, root: Path) -> bool:
        if code in OPT_IN_CODES and code not in self.opt_in:
            return False
        ignore = self.ignore + tuple(
            code_ for pattern, codes in self.per_file if excluded(path, [pattern], root) for code_ in codes
        )
        chosen = max((len(prefix) for prefix in self.select if code.startswith(prefix)), default=-1)
        dropped = max((len(prefix) for prefix in ignore if code.startswith(prefix)), default=-1)
        return chosen >= 0 and chosen > dropped

    @property
    def opt_in(self) -> frozenset[str]:
        return explicit_opt_in(self.select, OPT_IN_CODES)


def _load_config(options: argparse.Namespace, cwd: Path) -> dict[str, object]:
    try:
        if options.config:
            path = Path(options.config)
            if not path.is_file():
                raise UsageError(f"--config: no such file: {options.config}")
            return load_pyproject(path)
        found = find_pyproject(cwd)
        return load_pyproject(found) if found else {}
    except ConfigError as error:
        raise UsageError(str(error)) from None


def _strings(config: dict[str, object], key: str) -> tuple[str, ...]:
    value = config.get(key, ())
    return tuple(str(item) for item in value) if isinstance(value, tuple) else ()


def _check_selectors(selectors: Sequence[str], option: str) -> None:
    for selector in selectors:
        if not any(code.startswith(selector) for code in BY_CODE) and selector != "E999":
            raise UsageError(f"{option}: unknown rule selector {selector!r}; run `flake8-alembic rule --all`")


def _check(options: argparse.Namespace, out: TextIO) -> int:
    cwd = Path.cwd()
    config = _load_config(options, cwd)
    select: tuple[str, ...] = options.select or _strings(config, "select") or ("ALM",)
    extend_select = (options.extend_select or ()) + _strings(config, "extend-select")
    ignore = options.ignore if options.ignore is not None else _strings(config, "ignore")
    ignore += (options.extend_ignore or ()) + _strings(config, "extend-ignore")
    for option, selectors in (("--select", select), ("--extend-select", extend_select), ("--ignore", ignore)):
        _check_selectors(selectors, option)
    configured_per_file = config.get("per-file-ignores", ())
    per_file = tuple(options.per_file_ignores or ()) + (
        configured_per_file if isinstance(configured_per_file, tuple) else ()
    )
    selection = Selection(select + extend_select, ignore, per_file)
    values = {key: value for key, value in config.items() if key not in CLI_KEYS}
    for spec in SETTINGS:
        value = getattr(options, f"setting_{spec.attribute}", None)
        if value is not None:
            values[spec.key] = value
    values["opt_in"] = selection.opt_in
    try:
        settings = Settings().updated(values)
    except ConfigError as error:
        raise UsageError(str(error)) from None
    excludes = tuple(options.exclude or _strings(config, "exclude") or DEFAULT_EXCLUDES)
    excludes += tuple(options.extend_exclude or ()) + _strings(config, "extend-exclude")
    output_format = options.output_format or config.get("output-format") or "full"
    if options.show_settings:
        return _show_settings(out, settings, selection, excludes, str(output_format))

    sources: list[tuple[Path, bytes]] = []
    if options.stdin_filename:
        stdin_path = Path(options.stdin_filename)
        if not (options.force_exclude and excluded(stdin_path, excludes, cwd)):
            sources.append((stdin_path, sys.stdin.buffer.read()))
    else:
        paths = options.paths or default_paths(cwd, excludes)
        try:
            files, _ = discover(paths, excludes, options.force_exclude, cwd)
        except PathError as error:
            raise UsageError(str(error)) from None
        for path in files:
            try:
                sources.append((path, path.read_bytes()))
            except OSError as error:
                raise UsageError(f"cannot read {path}: {error.strerror or error}") from None

    changed = changed_since(options.changed_since, cwd) if options.changed_since else None
    disk = _disk_cache([path for path, _ in sources]) if settings.cache is not False and not options.no_cache else None
    cache = ProjectCache(summaries=SummaryStore(disk))
    # Summaries hold no reference cycles: pausing the cyclic collector keeps it from rescanning the growing heap
    # of summaries again and again (as the plugin does under flake8).
    collecting = gc.isenabled()
    gc.disable()
    try:
        findings, migrations, warnings = _lint(sources, settings, selection, cache, cwd, changed)
    finally:
        if collecting:
            gc.enable()
    if disk is not None:
        disk.prune()
    for warning in warnings:
        print(warning, file=sys.stderr)
    if migrations == 0:
        print("warning: no Alembic migrations found under the given path(s)", file=sys.stderr)
    if options.add_noqa:
        return _add_noqa(findings, out)
    return _report(findings, options, str(output_format), out, [str(path) for path, _ in sources])


def _disk_cache(paths: list[Path]) -> DiskCache | None:
    """The summary cache of the project holding the linted paths (the root above their common folder)."""
    if not paths:
        return None
    try:
        common = Path(os.path.commonpath([os.path.abspath(path) for path in paths]))
    except ValueError:  # paths on different drives
        return None
    return project_cache(find_project_root(common))


def _lint(
    sources: list[tuple[Path, bytes]],
    settings: Settings,
    selection: Selection,
    cache: ProjectCache,
    cwd: Path,
    changed: set[str] | None,
) -> tuple[list[Finding], int, list[str]]:
    findings: list[Finding] = []
    warnings: list[str] = []
    migrations = 0
    for path, source in sources:
        shown = _display(path, cwd)
        if changed is not None and os.path.abspath(path) not in changed:
            if b"down_revision" in source:
                migrations += 1
            continue
        result = lint_source(str(path), source, settings, cache)
        migrations += result.is_migration
        try:
            text = decode_source(source)
        except (UnicodeDecodeError, SyntaxError, LookupError):
            text = ""
        lines = text.splitlines()
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
        noqa = NoqaMap(text)
        warnings.extend(f"{shown}:{warning.line}: warning: {warning.message}" for warning in noqa.warnings())
        for diagnostic in result.diagnostics:
            code = diagnostic.code
            if code != INTERNAL_ERROR and not selection.reports(code, path, cwd):
                continue
            if noqa.hides(diagnostic.line, code):
                continue
            rule = BY_CODE.get(code)
            findings.append(
                Finding(
                    shown,
                    os.path.abspath(path),
                    diagnostic.line,
                    _characters(_line(lines, diagnostic.line), diagnostic.col),
                    code,
                    rule.name if rule else "internal-error",
                    diagnostic.message,
                    _line(lines, diagnostic.line),
                    rule.summary if rule else "",
                    _docs(code),
                )
            )
    findings.sort(key=lambda finding: (finding.path, finding.line, finding.col, finding.code))
    return findings, migrations, warnings


@functools.cache
def _docs(code: str) -> str:
    """A rule's documentation, read once per code (a run on a large history reports the same codes many times)."""
    try:
        return documentation(code)
    except (OSError, KeyError):
        return ""


def _characters(line: str | None, offset: int) -> int:
    """``ast`` columns count UTF-8 bytes; shown columns count characters (as ruff's do)."""
    if line is None or line.isascii():
        return offset
    return len(line.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))


def _line(lines: list[str], number: int) -> str | None:
    return lines[number - 1] if 1 <= number <= len(lines) else None


def _display(path: Path, cwd: Path) -> str:
    try:
        return Path(os.path.abspath(path)).relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def _report(
    findings: list[Finding], options: argparse.Namespace, output_format: str, out: TextIO, checked: list[str]
) -> int:
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
    by_file: dict[str, dict[int, set[str]]] = {}
    for finding in findings:
        if finding.code not in ("E999", INTERNAL_ERROR):
            by_file.setdefault(finding.absolute, {}).setdefault(finding.line, set()).add(finding.code)
    total = 0
    for path, codes in sorted(by_file.items()):
        try:
            source = Path(path).read_bytes()
            text = decode_source(source)
            updated, edits = add_noqa(text, codes)
            Path(path).write_bytes(updated.encode("utf-8"))
        except (OSError, UnicodeDecodeError, SyntaxError, LookupError) as error:
            raise UsageError(f"cannot update {path}: {error}") from None
        total += edits
    out.write(f"Added {total} noqa directive{'s' if total != 1 else ''}.\n")
    return 0


def _show_settings(
    out: TextIO, settings: Settings, selection: Selection, excludes: tuple[str, ...], output_format: str
) -> int:
    out.write(f"select = {', '.join(selection.select)}\n")
    out.write(f"ignore = {', '.join(selection.ignore) or '(none)'}\n")
    per_file = ", ".join(pattern + ":" + ",".join(codes) for pattern, codes in selection.per_file)
    out.write(f"per-file-ignores = {per_file or '(none)'}\n")
    out.write(f"exclude = {', '.join(excludes)}\n")
    out.write(f"output-format = {output_format}\n")
    for spec in SETTINGS:
        value = getattr(settings, spec.attribute)
        shown = ", ".join(sorted(value)) if isinstance(value, frozenset) else value
        out.write(f"{spec.key} = {shown if value is not None else '(inferred)'}\n")
    out.write(f"opt-in rules selected = {', '.join(sorted(settings.opt_in)) or '(none)'}\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
