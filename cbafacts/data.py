"""Where the package's data files live, and how they are read."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

PACKAGE_DIR = Path(__file__).resolve().parent
LANG_DIR = PACKAGE_DIR / "lang"


def lang_file(lang: str, name: str) -> Path | None:
    """Path of ``cbafacts/lang/<lang>/<name>``, or None when that language
    has no such file."""
    if not lang or not lang.replace("-", "").isalnum():
        return None
    path = LANG_DIR / lang / name
    return path if path.is_file() else None


def available_languages(name: str = "numbers.yaml") -> list[str]:
    """Languages that ship ``name`` (the fallback "xx" excluded)."""
    return sorted(p.parent.name for p in LANG_DIR.glob(f"*/{name}") if p.parent.name != "xx")


@lru_cache(maxsize=256)
def _load(path: str, mtime: float) -> Any:
    with open(path, encoding="utf-8") as fh:
        # libyaml's C loader when PyYAML was built with it (10x faster)
        return yaml.load(fh, Loader=_LOADER)


def load_yaml(path: str | Path) -> Any:
    """Parse a YAML data file (cached per path and modification time)."""
    p = Path(path)
    return _load(str(p), p.stat().st_mtime)
