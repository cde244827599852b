"""Silver training data: synthetic articles labelled by the spaCy path.

The articles come from the repository's seeded generator
``benchmarks/make_corpus.py`` (templates per language in
``benchmarks/make_corpus.yaml``, every alias, number format and cue word
from the project's data), so the same seed gives the same articles; each is
run through the ``spacy`` backend and its claims become ``NUM``/``CHANGE``
spans (:func:`cbafacts.transformer.annotate.spans_from_claims`).
"""
from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Iterator

from ..data import PACKAGE_DIR
from ..errors import Errors
from .annotate import spans_from_claims
from .labels import Span

GENERATOR = PACKAGE_DIR.parent / "benchmarks" / "make_corpus.py"


@dataclass(frozen=True)
class Example:
    """A training text with its spans."""

    id: str
    lang: str
    text: str
    spans: tuple[Span, ...]
    source: str  # "gold" or "silver"


def generator() -> ModuleType:
    """``benchmarks.make_corpus``, imported from the repository."""
    try:
        return importlib.import_module("benchmarks.make_corpus")
    except ImportError:
        pass
    if not GENERATOR.is_file():
        raise FileNotFoundError(Errors.E806.format(reason=f"the silver generator {str(GENERATOR)!r} is missing"))
    spec = importlib.util.spec_from_file_location("cbafacts_make_corpus", GENERATOR)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def silver_examples(n: int, seed: int, langs: list[str] | None = None) -> Iterator[Example]:
    """``n`` synthetic articles (seeded) with the spaCy path's claims as spans."""
    from ..backends import SpacyBackend

    spacy_backend = SpacyBackend()
    for art in generator().generate(n, seed=seed, langs=langs):
        claims, _ = spacy_backend.claims(art["text"], art["lang"])
        spans = spans_from_claims(art["text"], art["lang"], claims)
        yield Example(art["id"], art["lang"], art["text"], tuple(spans), "silver")


def fingerprint(examples: list[Example]) -> str:
    """sha256 of the texts and spans: two runs with the same recipe agree."""
    h = hashlib.sha256()
    for ex in examples:
        h.update(ex.text.encode("utf-8"))
        h.update(repr(ex.spans).encode("utf-8"))
    return h.hexdigest()
