"""Settings from [tool.specgen] in pyproject.toml, overridden by command-line flags."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specgen.errors import SpecError

KEYS = {"specs", "templates", "output", "cache"}


def bundled_templates() -> Path:
    """The templates that ship with specgen: used when a project configures none.

    Installed, they are package data (specgen/templates/); in a source checkout, where the
    package's root is generator/, they are the checkout's top-level templates/ folder.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "package").is_dir():
            return candidate
    return here / "templates"  # missing: rendering reports [template-missing] with this path


@dataclass(frozen=True)
class Config:
    root: Path
    specs: Path
    templates: Path
    output: Path
    cache: Path
    no_cache: bool = False
    venue: str | None = None


def find_pyproject(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def _key_line(text: str, key: str) -> int | None:
    """The line that sets key in the [tool.specgen] table (None if it is written another way)."""
    table = None
    for number, line in enumerate(text.splitlines(), 1):
        header = re.match(r"\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$", line)
        if header:
            table = header.group(1).replace(" ", "")
        elif table == "tool.specgen" and re.match(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=", line):
            return number
    return None


def load_config(config_file: Path | None, overrides: dict[str, Any]) -> Config:
    path = config_file or find_pyproject(Path.cwd())
    table: dict[str, Any] = {}
    root = Path.cwd()
    if config_file is not None and not config_file.is_file():
        raise SpecError(str(config_file), None, "config", "configuration file not found")
    if path is not None:
        root = path.parent
        try:
            text = path.read_text("utf-8")
            data = tomllib.loads(text)
        except (OSError, UnicodeDecodeError) as exc:
            raise SpecError(str(path), None, "config", f"cannot read: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            found = re.search(r" \(at line (\d+), column \d+\)$", str(exc))
            line = int(found.group(1)) if found else None
            message = str(exc)[: found.start()] if found else str(exc)
            raise SpecError(str(path), line, "config", f"not valid TOML: {message}") from None
        tool = data.get("tool", {})
        table = tool.get("specgen", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise SpecError(str(path), None, "config", "[tool.specgen] must be a table")
        unknown = sorted(set(table) - KEYS)
        if unknown:
            raise SpecError(
                str(path),
                _key_line(text, unknown[0]),
                "config",
                f"unknown key(s) in [tool.specgen]: {', '.join(unknown)} (known: {', '.join(sorted(KEYS))})",
            )
        for key, value in table.items():
            if not isinstance(value, str) or not value:
                raise SpecError(
                    str(path), _key_line(text, key), "config", f"[tool.specgen] {key} must be a non-empty string path"
                )

    def pick(key: str, default: str | None) -> Path:
        value = overrides.get(key) or table.get(key) or default
        if value is None:
            return bundled_templates()
        p = Path(value)
        return p if p.is_absolute() else root / p

    return Config(
        root=root,
        specs=pick("specs", "specs"),
        templates=pick("templates", None),
        output=pick("output", "generated"),
        cache=pick("cache", ".specgen-cache"),
        no_cache=bool(overrides.get("no_cache")),
        venue=overrides.get("venue"),
    )
