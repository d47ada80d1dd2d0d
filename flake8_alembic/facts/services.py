"""The database services a project runs beside itself: docker-compose service images and CI service images
(GitHub Actions workflows, ``.gitlab-ci.yml``). The YAML is read line by line (``image: postgres:16``,
``- name: mariadb:11``, ``- mysql:8`` under ``services:``): no YAML library, nothing run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from .. import reading
from ..dialects import SERVICE_IMAGES
from .code import shown
from .records import DialectClue, Evidence

MAX_SERVICE_FILES: Final = 64
_IMAGE_LINE: Final = re.compile(r"""^\s*(?:-\s+)?(?:image|name)\s*:\s*["']?([^\s"'#]+)""")
_LIST_ITEM: Final = re.compile(r"""^(\s*)-\s+["']?([\w.\-/]+(?::[\w.\-]+)?(?:@\S+)?)["']?\s*(?:#.*)?$""")
_SERVICES_KEY: Final = re.compile(r"^(\s*)services\s*:\s*(?:#.*)?$")
_COMPOSE_NAMES: Final = ("docker-compose", "compose")
_COMPOSE_FOLDERS: Final = ("", "docker", "deploy", ".devcontainer")


def image_dialects(reference: str) -> frozenset[str]:
    """The database a container image runs: ``postgres:16``, ``docker.io/library/mariadb:11``,
    ``mcr.microsoft.com/mssql/server:2022-latest``; nothing for other images or a ``${{ matrix.image }}``."""
    name = reference.split("@", 1)[0]
    parts = name.split("/")
    last = parts[-1].split(":", 1)[0].lower()
    if last == "server" and len(parts) > 1:
        last = parts[-2].lower()
    return SERVICE_IMAGES.get(last, frozenset())


def _service_files(root: Path) -> list[Path]:
    found: list[Path] = []
    for folder in _COMPOSE_FOLDERS:
        base = root / folder if folder else root
        found += [
            base / entry.name
            for entry in reading.list_dir(base)
            if entry.name.startswith(_COMPOSE_NAMES) and entry.name.endswith((".yml", ".yaml"))
        ]
    workflows = root / ".github" / "workflows"
    found += [workflows / entry.name for entry in reading.list_dir(workflows) if entry.name.endswith((".yml", ".yaml"))]
    found.append(root / ".gitlab-ci.yml")
    return [path for path in found if reading.is_file(path)][:MAX_SERVICE_FILES]


def _images(text: str, plain_items: bool) -> list[tuple[int, str]]:
    """(line, image reference) of every ``image:``/``name:`` value and, with ``plain_items`` (GitLab CI), of the plain
    items of a ``services:`` list (``- postgres:15``); in a compose file such an item names a service, not an
    image."""
    found: list[tuple[int, str]] = []
    services_indent: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        key = _SERVICES_KEY.match(line) if plain_items else None
        if key:
            services_indent = len(key.group(1))
            continue
        image = _IMAGE_LINE.match(line)
        item = _LIST_ITEM.match(line)
        if image:
            found.append((number, image.group(1)))
        elif item and services_indent is not None and len(item.group(1)) >= services_indent:
            found.append((number, item.group(2)))
        elif services_indent is not None and _ends_block(line, services_indent):
            services_indent = None
    return found


def _ends_block(line: str, indent: int) -> bool:
    """A key at the indentation of ``services:`` or less ends its list."""
    stripped = line.lstrip()
    return bool(stripped) and not stripped.startswith("#") and len(line) - len(stripped) <= indent


def service_clues(root: Path) -> tuple[DialectClue, ...]:
    """Each database service image a compose file or CI configuration of the project runs."""
    clues: list[DialectClue] = []
    for path in _service_files(root):
        text = reading.read_text(path)
        for number, reference in _images(text or "", path.name == ".gitlab-ci.yml"):
            dialects = image_dialects(reference)
            if dialects:
                evidence = Evidence(f"image {reference}", f"{shown(path, root)}:{number}")
                clues.append(DialectClue(dialects, "service", evidence))
    return tuple(clues)
