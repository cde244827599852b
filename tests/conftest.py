"""Shared fixtures. Helpers append here; do not reorder or remove fixtures."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """corpus/raw: the seed articles, byte for byte."""
    return ROOT / "corpus" / "raw"


@pytest.fixture(scope="session")
def extractor():
    """One Extractor for the whole session (building pipelines is slow)."""
    from cbafacts import Extractor

    return Extractor()
