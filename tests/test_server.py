"""The resident server (``flake8-alembic server``): a run it answers prints exactly what a run in a process of its
own prints (what it keeps between runs: tests/test_resident.py); it declines what it cannot answer exactly (other
code, another interpreter), and the command then runs in its own process; concurrent clients get their own
results."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from flake8_alembic import client
from flake8_alembic.server import Server

from .test_runcache import ARGS, Project, copy_project

COMMAND = [sys.executable, "-m", "flake8_alembic"]
OUTSIDE = tempfile.gettempdir()
"""Where the server commands run: `python -m` in the checkout would import its source folder, and the checks (run in
temporary projects) the installed copy, a different installation with a server of its own."""


def test_a_request_of_other_code_or_another_interpreter_is_declined(tmp_path: Path) -> None:
    server = Server(str(tmp_path / "unused.sock"), 60.0)
    request = client.run_request(["check", str(tmp_path)])
    other = request.replace(client.identity()[0], b"/elsewhere/bin/python", 1)
    assert server.handle(other).startswith(b"declined\0a server of another interpreter")
    assert server.handle(b"garbage").startswith(b"declined")
    assert server.handle(client.PROTOCOL + b"\0run\0" + b"\0".join(client.identity())).startswith(b"declined")
    server.stamp = (("/gone.py", 0, 0),)  # the package's files are not what the server started from
    assert server.handle(request) == b"declined\0the linter's code changed since the server started"
    assert server.stopping
    assert server.requests == 0


def test_a_reply_that_is_not_whole_runs_the_command_here() -> None:
    assert client.parse_ran(b"ran\x000\x0015:abc") is None
    assert client.parse_ran(b"ran\x000\x003:abc") is None
    assert client.parse_ran(b"declined\x00why") is None
    assert client.parse_ran(b"ran\x001\x0023:err13:out") == (1, [(2, b"err"), (1, b"out")])
    assert client.parse_ran(b"ran\x000\x00") == (0, [])


def test_what_the_server_declines_as_the_command_parses_it(tmp_path: Path) -> None:
    # argparse takes unambiguous abbreviations: --stdin is --stdin-filename (standard input is the caller's).
    server = Server(str(tmp_path / "unused.sock"), 60.0)
    for arguments in (["check", "--stdin", "x.py"], ["--no-serv", "."], ["check", "--no-c"], ["check", "--add-n"]):
        assert server.handle(client.run_request(arguments)).startswith(b"declined\0a run the calling"), arguments
    assert server.requests == 0


def test_what_a_server_never_runs() -> None:
    for arguments in (
        ["rule", "ALM001"],
        ["server", "status"],
        ["verify"],
        ["--version"],
        ["check", "--no-cache"],
        ["check", "--no-server"],
        ["check", "--stdin-filename", "x.py", "-"],
        ["check", "--stdin-filename=x.py"],
        ["check", "--add-noqa"],
        ["check", "--help"],
    ):
        assert not client.wants_server(arguments), arguments
    assert client.wants_server(["check", "."]) and client.wants_server([]) and client.wants_server(["versions/"])


def test_a_socket_folder_others_may_enter_is_not_used(tmp_path: Path) -> None:
    folder = tmp_path / "flake8-alembic-x"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    assert not client._safe_folder(str(folder / "s.sock"))
    folder.chmod(0o700)
    assert client._safe_folder(str(folder / "s.sock"))
    assert not client._safe_folder(str(tmp_path / "missing" / "s.sock"))


# ---------------------------------------------------------------------------------------------- a real server


@pytest.fixture
def server_environment() -> Iterator[dict[str, str]]:
    """An environment whose runs find a server of their own (stopped at the end)."""
    folder = tempfile.mkdtemp(prefix="fs-", dir="/tmp" if os.path.isdir("/tmp") else None)
    environment = {**os.environ, "XDG_RUNTIME_DIR": folder}
    started = subprocess.run(
        [*COMMAND, "server", "start", "--idle-minutes", "5"],
        cwd=OUTSIDE,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 0, started.stderr
    assert "server: started" in started.stdout
    try:
        yield environment
    finally:
        subprocess.run([*COMMAND, "server", "stop"], cwd=OUTSIDE, env=environment, capture_output=True, timeout=60)
        subprocess.run(["rm", "-rf", folder], check=False)


def requests(environment: dict[str, str]) -> int:
    status = subprocess.run(
        [*COMMAND, "server", "status"], cwd=OUTSIDE, env=environment, capture_output=True, text=True, timeout=60
    ).stdout
    found = re.search(r"(\d+) requests", status)
    assert found, status
    return int(found.group(1))


def test_a_real_server_answers_exactly_what_a_process_of_its_own_prints(
    tmp_path: Path, server_environment: dict[str, str]
) -> None:
    root = copy_project(tmp_path)
    project = Project(root, random.Random(3))

    def check(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*COMMAND, "check", *ARGS, *extra],
            cwd=root,
            env=server_environment,
            capture_output=True,
            text=True,
            timeout=120,
        )

    for step in range(5):
        project.step = step
        what = project.rng.choice(project.edits())() if step else "as copied"
        before = requests(server_environment)
        served, here = check(), check("--no-server")
        assert requests(server_environment) == before + 1, what  # the first went to the server, not the second
        assert (served.returncode, served.stdout, served.stderr) == (here.returncode, here.stdout, here.stderr), what
        assert "Traceback" not in served.stderr
        if not step:  # the fixture has findings: a server that printed nothing would not pass
            assert served.returncode == 1 and "ALM" in served.stdout


def test_concurrent_clients_get_their_own_results(tmp_path: Path, server_environment: dict[str, str]) -> None:
    roots = [copy_project(tmp_path / name) for name in ("a", "b")]
    Project(roots[1], random.Random(1)).add_migration()
    formats = ("concise", "json", "pylint")

    def command(root: Path, output_format: str, *extra: str) -> list[str]:
        return [*COMMAND, "check", "--preview", "--output-format", output_format, *extra]

    expected = {
        (root, output_format): subprocess.run(
            command(root, output_format, "--no-server"), cwd=root, capture_output=True, text=True, timeout=120
        ).stdout
        for root in roots
        for output_format in formats
    }
    results: dict[tuple[Path, str], str] = {}

    def one(root: Path, output_format: str) -> None:
        results[(root, output_format)] = subprocess.run(
            command(root, output_format), cwd=root, env=server_environment, capture_output=True, text=True, timeout=120
        ).stdout

    threads = [threading.Thread(target=one, args=key) for key in expected for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == expected
    assert requests(server_environment) == len(threads)


def test_without_a_server_the_command_runs_here(tmp_path: Path) -> None:
    root = copy_project(tmp_path)
    environment = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path / "none")}
    done = subprocess.run(
        [*COMMAND, "check", *ARGS], cwd=root, env=environment, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1 and "ALM" in done.stdout
    status = subprocess.run(
        [*COMMAND, "server", "status"], cwd=OUTSIDE, env=environment, capture_output=True, text=True
    )
    assert status.returncode == 1 and status.stdout == "flake8-alembic server: not running\n"


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["strat"], "argument action: invalid choice: 'strat' (choose from 'start', 'stop', 'status')"),
        (["start", "--idle-minutes", "0"], "argument --idle-minutes: invalid value '0': a number of minutes above 0"),
        ([], "the following arguments are required: action"),
    ],
)
def test_a_mistake_in_the_server_command_is_one_line(
    capsys: pytest.CaptureFixture[str], arguments: list[str], expected: str
) -> None:
    from flake8_alembic.cli import main

    assert main(["server", *arguments]) == 2
    assert capsys.readouterr().err == f"flake8-alembic: error: server: {expected}\n"


def test_flake8_on_one_file_goes_to_the_server_and_prints_what_it_prints_without(
    tmp_path: Path, server_environment: dict[str, str]
) -> None:
    root = copy_project(tmp_path)
    versions = sorted((root / "src" / "shopapp" / "db" / "alembic" / "versions").glob("*.py"))
    flake8 = [sys.executable, "-m", "flake8", "--select", "ALM", "--extend-select", "ALM0", "--alembic-preview=true"]
    alone = {**server_environment, "XDG_RUNTIME_DIR": str(tmp_path / "no-server")}

    def both(*arguments: str) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
        return tuple(  # type: ignore[return-value]
            subprocess.run([*flake8, *arguments], cwd=root, env=env, capture_output=True, text=True, timeout=120)
            for env in (server_environment, alone)
        )

    before = requests(server_environment)
    served, here = both(str(versions[0].relative_to(root)))
    assert (served.returncode, served.stdout, served.stderr) == (here.returncode, here.stdout, here.stderr)
    assert served.returncode == 1 and "ALM010" in served.stdout
    assert requests(server_environment) == before + 2  # the set-up, then the file
    # A whole tree stays in flake8's process: it reads each history once for all its files.
    served, here = both("src")
    assert (served.returncode, served.stdout) == (here.returncode, here.stdout)
    assert requests(server_environment) == before + 2
    # A broken configuration is flake8's one error line, from the server as from the plugin in flake8's process.
    (root / "pyproject.toml").write_text('[tool.flake8-alembic]\nflavour = "x"\n')
    served, here = both(str(versions[0].relative_to(root)))
    assert served.returncode == here.returncode == 2
    assert served.stderr == here.stderr and "unknown key 'flavour'" in served.stderr
    assert requests(server_environment) == before + 3


def test_flake8_overrides_reach_the_server_as_flake8_parsed_them() -> None:
    from flake8_alembic.config import SETTINGS
    from flake8_alembic.plugin import plain_overrides

    raw = {
        "target-dialects": "postgresql,mysql",
        "target-alembic-version": "1.13",
        "target-sqlalchemy-version": "1.4",
        "guard-drops": "unproven",
        "guard-alters": "always",
        "downgrades": "forward-only",
        "external-tables": "a,b",
        "application-import-names": "app,lib",
        "banned-imports": "app.models,x",
        "allowed-imports": "app.helpers",
        "baseline-revision": "abc,def",
        "autocommit-connections": "true",
        "postgres-version": "14",
        "preview": "true",
        "cache": "false",
        "cache-dir": "/tmp/x",
    }
    assert set(raw) == {spec.key for spec in SETTINGS}  # a new setting needs a sample here
    parsed = {spec.key: spec.parse(raw[spec.key]) for spec in SETTINGS}
    plain = plain_overrides(parsed)
    assert json.loads(json.dumps(plain)) == plain
    assert {spec.key: spec.parse(plain[spec.key]) for spec in SETTINGS} == parsed


def test_what_a_run_prints_keeps_its_order_when_both_streams_share_a_pipe(
    tmp_path: Path, server_environment: dict[str, str]
) -> None:
    root = copy_project(tmp_path)
    # A warning on standard error (a preview rule named without preview mode), then findings on standard output.
    command = [*COMMAND, "check", "--extend-select", "ALM011", "--output-format", "concise", "src"]
    before = requests(server_environment)
    merged = [
        subprocess.run(
            [*command, *extra], cwd=root, env=server_environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        ).stdout
        for extra in ((), ("--no-server",))
    ]
    assert requests(server_environment) == before + 1
    assert merged[0] == merged[1]
    assert merged[0].startswith(b"warning: ALM011 is a preview rule") and b"ALM010" in merged[0]
