"""Tests for flake8_alembic.pins: the versions a project pins, read statically."""

from __future__ import annotations

from pathlib import Path

import pytest

from flake8_alembic import pins
from flake8_alembic.pins import alembic_pin
from flake8_alembic.project import application_packages


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------------
# alembic_pin: specifiers
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requirement", "expected"),
    [
        ("alembic==1.13.2", (1, 13, 2)),
        ("alembic>=1.11,<2", (1, 11)),
        ("alembic >= 1.11, < 2", (1, 11)),
        ("alembic<2,>=1.11", (1, 11)),
        ("alembic~=1.12.0", (1, 12, 0)),
        ("alembic~=1.12", (1, 12)),
        ("alembic===1.13.2", (1, 13, 2)),
        ("alembic==1.13.*", (1, 13)),
        ("alembic>1.9", (1, 9)),
        ("alembic>=1.10,>=1.12", (1, 12)),
        ("alembic==1.14.0rc1", (1, 14, 0)),
        ("alembic>=v1.8", (1, 8)),
        ("alembic (>=1.7)", (1, 7)),
        ("alembic[tz]>=1.10; python_version>'3.8'", (1, 10)),
        ("alembic[tz, other] == 1.10.4 ; sys_platform == 'linux'", (1, 10, 4)),
        ("Alembic>=1.4", (1, 4)),
        ("ALEMBIC==1.5.8", (1, 5, 8)),
        ("alembic", None),
        ("alembic[tz]", None),
        ("alembic; python_version>='3.8'", None),
        ("alembic<2", None),
        ("alembic!=1.12.0", None),
        ("alembic @ git+https://github.com/sqlalchemy/alembic@rel_1_13_2", None),
        ("alembic-utils>=0.8", None),
        ("flask-alembic==3.0", None),
        ("pytest-alembic>=0.10", None),
        ("sqlalchemy>=2.0", None),
    ],
)
def test_pep508_specifiers_in_project_dependencies(
    tmp_path: Path, requirement: str, expected: tuple[int, ...] | None
) -> None:
    write(tmp_path / "pyproject.toml", f'[project]\nname = "app"\ndependencies = ["{requirement}"]\n')
    assert alembic_pin(tmp_path) == expected


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^1.12", (1, 12)),
        ("^0.9.4", (0, 9, 4)),
        ("~1.12", (1, 12)),
        ("1.12.1", (1, 12, 1)),
        (">=1.10,<2.0", (1, 10)),
        (">=1.10 <2.0", (1, 10)),
        ("^1.10 || ^1.12", (1, 10)),
        ("^1.13 | ^1.11", (1, 11)),
        ("<1.0 || >=1.5", None),
        ("1.13.*", (1, 13)),
        ("*", None),
        ("<2", None),
    ],
)
def test_poetry_constraints(tmp_path: Path, constraint: str, expected: tuple[int, ...] | None) -> None:
    write(
        tmp_path / "pyproject.toml",
        f'[tool.poetry.dependencies]\npython = "^3.9"\nalembic = "{constraint}"\n',
    )
    assert alembic_pin(tmp_path) == expected


def test_poetry_table_form(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.poetry.dependencies]\nAlembic = { version = "^1.12.1", extras = ["tz"] }\n',
    )
    assert alembic_pin(tmp_path) == (1, 12, 1)


def test_poetry_multiple_constraints_list(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        "[tool.poetry.dependencies]\n"
        'alembic = [{ version = "^1.13", python = ">=3.10" }, { version = "^1.11", python = "<3.10" }]\n',
    )
    assert alembic_pin(tmp_path) == (1, 11)


def test_poetry_git_dependency_has_no_version(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.poetry.dependencies]\nalembic = { git = "https://github.com/sqlalchemy/alembic.git" }\n',
    )
    assert alembic_pin(tmp_path) is None


def test_poetry_groups_and_dev_dependencies(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.poetry.group.db.dependencies]\nalembic = "^1.9"\n')
    assert alembic_pin(tmp_path) == (1, 9)
    write(tmp_path / "pyproject.toml", '[tool.poetry.dev-dependencies]\nalembic = ">=1.8.1"\n')
    assert alembic_pin(tmp_path) == (1, 8, 1)


def test_optional_dependencies(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "app"\ndependencies = ["sqlalchemy"]\n'
        '[project.optional-dependencies]\ndb = ["alembic>=1.13"]\nlegacy = ["alembic>=1.7,<1.8"]\n',
    )
    assert alembic_pin(tmp_path) == (1, 7)


def test_lowest_across_pyproject_sections(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\ndependencies = ["alembic>=1.10"]\n[project.optional-dependencies]\ntest = ["alembic>=1.13"]\n',
    )
    assert alembic_pin(tmp_path) == (1, 10)


def test_unversioned_dependency_falls_through_to_a_versioned_one(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\ndependencies = ["alembic"]\n[project.optional-dependencies]\ntest = ["alembic>=1.13"]\n',
    )
    assert alembic_pin(tmp_path) == (1, 13)


def test_dependency_groups(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[dependency-groups]\ndev = ["pytest", {include-group = "db"}]\ndb = ["alembic>=1.14.0"]\n',
    )
    assert alembic_pin(tmp_path) == (1, 14, 0)


def test_pdm_and_uv_dev_dependencies(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.pdm.dev-dependencies]\ndb = ["alembic>=1.6"]\n')
    assert alembic_pin(tmp_path) == (1, 6)
    write(tmp_path / "pyproject.toml", '[tool.uv]\ndev-dependencies = ["alembic==1.5.0"]\n')
    assert alembic_pin(tmp_path) == (1, 5, 0)


def test_pyproject_odd_shapes_do_not_raise(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        'project = "not a table"\n[tool]\npoetry = 3\n[dependency-groups]\ndev = "alembic>=1"\n',
    )
    assert alembic_pin(tmp_path) is None
    assert application_packages(tmp_path) == frozenset()
    write(
        tmp_path / "pyproject.toml",
        '[project]\ndependencies = "alembic>=1.2"\noptional-dependencies = ["x"]\nname = 5\n'
        '[tool.poetry]\ndependencies = ["alembic"]\ngroup = {a = 1}\n',
    )
    assert alembic_pin(tmp_path) is None
    assert application_packages(tmp_path) == frozenset()


def test_bad_toml_is_ignored(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project\ndependencies = ["alembic>=1.9"\n')
    assert alembic_pin(tmp_path) is None
    write(tmp_path / "requirements.txt", "alembic>=1.11\n")
    assert alembic_pin(tmp_path) == (1, 11)  # the broken pyproject does not hide the next source


def test_pyproject_with_bom_and_non_utf8_comment(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        b'\xef\xbb\xbf# caf\xe9 latin-1 comment\n[project]\ndependencies = ["alembic>=1.12"]\n',
    )
    assert alembic_pin(tmp_path) == (1, 12)


def test_nothing_at_all(tmp_path: Path) -> None:
    assert alembic_pin(tmp_path) is None
    assert alembic_pin(tmp_path / "missing") is None


# --------------------------------------------------------------------------------------------------
# alembic_pin: requirements files
# --------------------------------------------------------------------------------------------------


def test_requirements_txt(tmp_path: Path) -> None:
    write(
        tmp_path / "requirements.txt",
        "# alembic==0.1 in a comment\n"
        "--index-url https://example.invalid/simple\n"
        "-e git+https://example.invalid/x.git#egg=x\n"
        "SQLAlchemy==2.0.30\n"
        "alembic==1.13.2 # pinned for prod\n",
    )
    assert alembic_pin(tmp_path) == (1, 13, 2)


def test_requirements_hashes_and_continuations(tmp_path: Path) -> None:
    write(
        tmp_path / "requirements.txt",
        "alembic==1.12.1 \\\n    --hash=sha256:aaaa \\\n    --hash=sha256:bbbb\n"
        "mako==1.3.0 \\\n    --hash=sha256:cccc\n",
    )
    assert alembic_pin(tmp_path) == (1, 12, 1)


def test_requirements_variants_and_folder(tmp_path: Path) -> None:
    write(tmp_path / "requirements-dev.txt", "pytest\n")
    write(tmp_path / "requirements" / "base.txt", "alembic>=1.9.4\n")
    write(tmp_path / "requirements" / "prod.txt", "alembic==1.13.0\n")
    write(tmp_path / "requirements" / "notes.md", "alembic==0.1\n")
    assert alembic_pin(tmp_path) == (1, 9, 4)


def test_requirements_include_followed_one_level(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "-r deps/base.txt\n")
    write(tmp_path / "deps" / "base.txt", "-r deeper.txt\nflask\n")
    write(tmp_path / "deps" / "deeper.txt", "alembic==1.1.0\n")
    assert alembic_pin(tmp_path) is None  # deeper.txt is two levels away
    write(tmp_path / "deps" / "base.txt", "--requirement=deeper.txt\nalembic>=1.10\n")
    assert alembic_pin(tmp_path) == (1, 10)


def test_requirements_constraint_include(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "alembic\n-c constraints.txt\n")
    write(tmp_path / "constraints.txt", "alembic==1.11.3\n")
    assert alembic_pin(tmp_path) == (1, 11, 3)


def test_requirements_include_cycle(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "-r requirements-dev.txt\n")
    write(tmp_path / "requirements-dev.txt", "-r requirements.txt\nalembic>=1.8\n")
    assert alembic_pin(tmp_path) == (1, 8)


def test_requirements_missing_include(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "-r nowhere.txt\nalembic~=1.13.1\n")
    assert alembic_pin(tmp_path) == (1, 13, 1)


def test_requirements_non_utf8(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", b"# d\xe9pendances\nalembic==1.10.2\n\xff\xfe\n")
    assert alembic_pin(tmp_path) == (1, 10, 2)


def test_pyproject_wins_over_requirements(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\ndependencies = ["alembic>=1.12"]\n')
    write(tmp_path / "requirements.txt", "alembic==1.4.0\n")
    assert alembic_pin(tmp_path) == (1, 12)


def test_setup_cfg_and_pipfile_are_later_sources(tmp_path: Path) -> None:
    write(tmp_path / "setup.cfg", "[options]\ninstall_requires =\n    sqlalchemy\n    alembic>=1.3\n")
    assert alembic_pin(tmp_path) == (1, 3)
    (tmp_path / "setup.cfg").unlink()
    write(tmp_path / "Pipfile", '[packages]\nalembic = ">=1.2.1"\n[dev-packages]\npytest = "*"\n')
    assert alembic_pin(tmp_path) == (1, 2, 1)
    write(tmp_path / "Pipfile", '[packages]\nalembic = "*"\n')
    assert alembic_pin(tmp_path) is None


# --------------------------------------------------------------------------------------------------
# alembic_pin: lock files
# --------------------------------------------------------------------------------------------------

POETRY_LOCK = """\
[[package]]
name = "alembic"
version = "1.13.1"
description = "A database migration tool for SQLAlchemy."
optional = false
python-versions = ">=3.8"

[package.dependencies]
Mako = "*"

[[package]]
name = "sqlalchemy"
version = "2.0.30"

[metadata]
lock-version = "2.0"
"""

UV_LOCK = """\
version = 1
requires-python = ">=3.9"

[[package]]
name = "alembic"
version = "1.14.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "mako" }, { name = "sqlalchemy" }]

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "alembic" }]

[package.metadata]
requires-dist = [{ name = "alembic", specifier = ">=1.11" }]
"""

PIPFILE_LOCK = """\
{
    "_meta": {"hash": {"sha256": "x"}, "pipfile-spec": 6},
    "default": {
        "alembic": {"hashes": ["sha256:x"], "markers": "python_version >= '3.8'", "version": "==1.12.0"},
        "sqlalchemy": {"version": "==2.0.1"}
    },
    "develop": {}
}
"""


def test_poetry_lock(tmp_path: Path) -> None:
    write(tmp_path / "poetry.lock", POETRY_LOCK)
    assert alembic_pin(tmp_path) == (1, 13, 1)


def test_uv_lock(tmp_path: Path) -> None:
    write(tmp_path / "uv.lock", UV_LOCK)
    assert alembic_pin(tmp_path) == (1, 14, 0)


def test_uv_lock_forked_resolution_takes_the_lowest(tmp_path: Path) -> None:
    write(
        tmp_path / "uv.lock",
        UV_LOCK + '\n[[package]]\nname = "alembic"\nversion = "1.11.3"\nsource = { registry = "x" }\n',
    )
    assert alembic_pin(tmp_path) == (1, 11, 3)


def test_pdm_lock(tmp_path: Path) -> None:
    write(tmp_path / "pdm.lock", '[[package]]\nname = "alembic"\nversion = "1.9.0"\n')
    assert alembic_pin(tmp_path) == (1, 9, 0)


def test_pipfile_lock(tmp_path: Path) -> None:
    write(tmp_path / "Pipfile.lock", PIPFILE_LOCK)
    assert alembic_pin(tmp_path) == (1, 12, 0)


def test_pipfile_lock_develop_section_and_odd_entries(tmp_path: Path) -> None:
    write(
        tmp_path / "Pipfile.lock",
        '{"default": {"alembic": {"git": "https://x"}}, "develop": {"Alembic": {"version": "==1.7.7"}}}',
    )
    assert alembic_pin(tmp_path) == (1, 7, 7)
    write(tmp_path / "Pipfile.lock", '["not", "an", "object"]')
    assert alembic_pin(tmp_path) is None
    write(tmp_path / "Pipfile.lock", "{broken json")
    assert alembic_pin(tmp_path) is None


def test_lock_wins_over_pyproject_range(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.poetry.dependencies]\nalembic = "^1.9"\n')
    write(tmp_path / "poetry.lock", POETRY_LOCK)
    assert alembic_pin(tmp_path) == (1, 13, 1)


def test_lock_wins_over_requirements(tmp_path: Path) -> None:
    write(tmp_path / "requirements.txt", "alembic>=1.1\n")
    write(tmp_path / "uv.lock", UV_LOCK)
    assert alembic_pin(tmp_path) == (1, 14, 0)


def test_lock_without_alembic_falls_back_to_declared(tmp_path: Path) -> None:
    write(tmp_path / "poetry.lock", '[[package]]\nname = "sqlalchemy"\nversion = "2.0.0"\n')
    write(tmp_path / "pyproject.toml", '[project]\ndependencies = ["alembic>=1.10"]\n')
    assert alembic_pin(tmp_path) == (1, 10)


def test_broken_lock_falls_back_to_declared(tmp_path: Path) -> None:
    write(tmp_path / "poetry.lock", '[[package]\nname = "alembic"\nversion = "1.0.0"\n')
    write(tmp_path / "uv.lock", b'[[package]]\nname = "alembic"\nversion = 1\n')  # not a string
    write(tmp_path / "pyproject.toml", '[project]\ndependencies = ["alembic>=1.10"]\n')
    assert alembic_pin(tmp_path) == (1, 10)


def test_lock_package_list_of_odd_shape(tmp_path: Path) -> None:
    write(tmp_path / "uv.lock", 'package = "alembic"\n')
    assert alembic_pin(tmp_path) is None
    write(tmp_path / "uv.lock", 'package = [1, "x", {name = 3}]\n')
    assert alembic_pin(tmp_path) is None


def test_public_api() -> None:
    assert sorted(pins.__all__) == [
        "Locked",
        "ProjectPins",
        "Requirement",
        "VersionRange",
        "alembic_pin",
        "alembic_pin_source",
        "normalise_distribution",
        "read_pins",
    ]


# --------------------------------------------------------------------------------------------------
# Version ranges (lowest and highest allowed)
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requirement", "shown", "allows_2"),
    [
        ("SQLAlchemy<2.0", "<2.0", False),
        ("SQLAlchemy>=1.3,<2", ">=1.3, <2", False),
        ("SQLAlchemy<2.0,>=1.4.0", ">=1.4.0, <2.0", False),
        ("SQLAlchemy~=1.4", ">=1.4, <2", False),
        ("SQLAlchemy~=1.4.46", ">=1.4.46, <1.5", False),
        ("SQLAlchemy==1.3.24", ">=1.3.24, <=1.3.24", False),
        ("SQLAlchemy==1.4.*", ">=1.4, <1.5", False),
        ("SQLAlchemy<=1.4.52", "<=1.4.52", False),
        ("SQLAlchemy<2.0.1", "<2.0.1", True),
        ("SQLAlchemy<=2.0", "<=2.0", True),
        ("SQLAlchemy==2.0.30", ">=2.0.30, <=2.0.30", True),
        ("SQLAlchemy>=1.4", ">=1.4", True),
        ("SQLAlchemy!=1.4.0", "any", True),
        ("SQLAlchemy[asyncio]>=1.4,<3", ">=1.4, <3", True),
    ],
)
def test_pep508_ranges(tmp_path: Path, requirement: str, shown: str, allows_2: bool) -> None:
    write(tmp_path / "pyproject.toml", f'[project]\ndependencies = ["{requirement}"]\n')
    found = pins.read_pins(tmp_path).range_of("sqlalchemy")
    assert found is not None
    assert found.shown == shown
    assert found.allows_from((2,)) is allows_2
    assert requirement in found.evidence and "pyproject.toml" in found.evidence


@pytest.mark.parametrize(
    ("constraint", "shown"),
    [
        ("^1.4", ">=1.4, <2"),
        ("^0.9.2", ">=0.9.2, <0.10"),
        ("^0.0.3", ">=0.0.3, <0.0.4"),
        ("~1.4", ">=1.4, <1.5"),
        ("~1", ">=1, <2"),
        ("1.4.46", ">=1.4.46, <=1.4.46"),
        ("^1.3 || ^1.4", ">=1.3, <2"),
        ("^1.4 || >=2.0", ">=1.4"),
    ],
)
def test_poetry_ranges(tmp_path: Path, constraint: str, shown: str) -> None:
    write(tmp_path / "pyproject.toml", f'[tool.poetry.dependencies]\nSQLAlchemy = "{constraint}"\n')
    found = pins.read_pins(tmp_path).range_of("sqlalchemy")
    assert found is not None and found.shown == shown


def test_a_range_without_a_pin_is_unknown(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\ndependencies = ["SQLAlchemy", "alembic>=1.9"]\n')
    assert pins.read_pins(tmp_path).range_of("sqlalchemy") is None
    assert pins.read_pins(tmp_path / "missing").range_of("sqlalchemy") is None


def test_within_a_source_the_widest_range_wins(tmp_path: Path) -> None:
    """A dev group allowing 2.x beside dependencies pinned below it: the project allows 2.x somewhere."""
    write(
        tmp_path / "pyproject.toml",
        '[project]\ndependencies = ["SQLAlchemy>=1.4,<2"]\n[dependency-groups]\ndev = ["SQLAlchemy>=1.3"]\n',
    )
    found = pins.read_pins(tmp_path).range_of("sqlalchemy")
    assert found is not None and found.lowest == (1, 3) and found.highest is None


def test_the_first_source_that_constrains_decides(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\ndependencies = ["SQLAlchemy"]\n')
    write(tmp_path / "requirements.txt", "SQLAlchemy==1.4.46\n")
    write(tmp_path / "setup.cfg", "[options]\ninstall_requires =\n    SQLAlchemy>=2.0\n")
    found = pins.read_pins(tmp_path).range_of("sqlalchemy")
    assert found is not None and found.shown == ">=1.4.46, <=1.4.46"
    assert "requirements.txt" in found.evidence


def test_lock_files_give_the_installed_versions(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\ndependencies = ["SQLAlchemy>=1.4"]\n')
    write(
        tmp_path / "uv.lock",
        '[[package]]\nname = "sqlalchemy"\nversion = "1.4.52"\n\n'
        '[[package]]\nname = "SQLAlchemy"\nversion = "1.4.49"\n',
    )
    found = pins.read_pins(tmp_path).range_of("sqlalchemy")
    assert found is not None
    assert (found.lowest, found.highest, found.highest_inclusive) == ((1, 4, 49), (1, 4, 52), True)
    assert not found.allows_from((2,)) and "locked in" in found.evidence


def test_setup_py_literal_lists_and_names_bound_once(tmp_path: Path) -> None:
    write(
        tmp_path / "setup.py",
        "from setuptools import setup\n"
        'REQUIRES = ["SQLAlchemy>=1.3,<1.4", "alembic>=1.4.2"]\n'
        'setup(name="x", install_requires=REQUIRES, extras_require={"pg": ["psycopg2"], "test": ["pytest"]})\n',
    )
    found = pins.read_pins(tmp_path)
    assert found.range_of("sqlalchemy") is not None
    assert found.lowest("alembic") == ((1, 4, 2), str(tmp_path / "setup.py"))
    assert {r.name for r in found.requirements(include_dev=False)} == {"sqlalchemy", "alembic", "psycopg2"}
    assert "pytest" in {r.name for r in found.requirements()}


def test_setup_py_that_is_computed_or_broken_gives_nothing(tmp_path: Path) -> None:
    write(tmp_path / "setup.py", "from setuptools import setup\nsetup(install_requires=read_requirements())\n")
    assert list(pins.read_pins(tmp_path).requirements()) == []
    write(tmp_path / "setup.py", "setup(install_requires=[\n")
    assert list(pins.read_pins(tmp_path).requirements()) == []


@pytest.mark.parametrize(
    ("where", "text", "dev"),
    [
        ("requirements.txt", "psycopg2\n", False),
        ("requirements-dev.txt", "psycopg2\n", True),
        ("requirements/test.txt", "psycopg2\n", True),
        ("pyproject.toml", '[project.optional-dependencies]\npostgres = ["psycopg2"]\n', False),
        ("pyproject.toml", '[project.optional-dependencies]\ntests = ["psycopg2"]\n', True),
        ("pyproject.toml", '[dependency-groups]\ndev = ["psycopg2"]\n', True),
        ("pyproject.toml", '[tool.poetry.group.test.dependencies]\npsycopg2 = "*"\n', True),
        ("pyproject.toml", '[tool.poetry.dev-dependencies]\npsycopg2 = "*"\n', True),
        ("Pipfile", '[dev-packages]\npsycopg2 = "*"\n', True),
        ("setup.cfg", "[options.extras_require]\ntesting =\n    psycopg2\n", True),
    ],
)
def test_what_only_developers_install_is_marked(tmp_path: Path, where: str, text: str, dev: bool) -> None:
    write(tmp_path / where, text)
    (requirement,) = pins.read_pins(tmp_path).requirements()
    assert requirement.name == "psycopg2" and requirement.dev is dev


def test_metadata_extras_of_a_test_extra_are_dev(tmp_path: Path) -> None:
    write(
        tmp_path / "app-1.0.dist-info" / "METADATA",
        "Name: app\nRequires-Dist: PyMySQL>=1.0\nRequires-Dist: psycopg2 ; extra == 'test'\n"
        'Requires-Dist: SQLAlchemy[postgresql-asyncpg]>=2 ; extra == "pg"\n\nbody\n',
    )
    found = {r.name: r for r in pins.read_pins(tmp_path).requirements()}
    assert not found["pymysql"].dev and found["psycopg2"].dev
    assert found["sqlalchemy"].extras == ("postgresql-asyncpg",) and not found["sqlalchemy"].dev


def test_a_configured_series() -> None:
    series = pins.VersionRange.series((1, 4), "target-sqlalchemy-version")
    assert series.shown == ">=1.4, <1.5" and not series.allows_from((2,))
    assert pins.VersionRange.series((2,), "x").allows_from((2, 0))
