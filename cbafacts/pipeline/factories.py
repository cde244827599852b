"""The spaCy components and their factories.

Each component is thin: the work is done by the shared, backend-neutral
modules (:mod:`cbafacts.claims`, :mod:`cbafacts.linking`,
:mod:`cbafacts.periods`). The exact claims live in ``doc._.claims`` (offsets
in code points, ``doc.text[c.start:c.end] == c.text``); ``doc.spans[key]``
holds the same claims as token spans (expanded to token boundaries where a
tokenizer cuts inside a number) with ``span._.claim`` and its attributes.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from pathlib import Path
from typing import Iterable

import srsly
from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc, SpanGroup
from spacy.util import ensure_path

from ..claims import claim_finder
from ..linking import MetricLinker
from ..model import Claim
from ..ontology.kb import MetricKB, load_ontology
from ..periods import period_resolver


def _data_lang(nlp: Language, lang: str | None) -> str:
    return (lang or nlp.lang or "xx").split("-")[0]


def set_claims(doc: Doc, claims: Iterable[Claim], key: str) -> None:
    """Store ``claims`` on the doc: ``doc._.claims`` and ``doc.spans[key]``."""
    claims = list(claims)
    doc._.claims = claims
    arr = doc.to_array([IDX, LENGTH])
    starts = arr[:, 0].tolist() if len(doc) else []
    ends = [a + n for a, n in zip(starts, arr[:, 1].tolist())] if len(doc) else []
    spans = []
    for c in claims:
        # the tokens overlapping [start, end): spaCy's alignment_mode="expand"
        i = bisect_right(ends, c.start)
        j = bisect_left(starts, c.end)
        if i >= j:
            continue
        span = doc[i:j]
        span.label_ = c.metric or "CLAIM"
        spans.append(span)
    doc.spans[key] = SpanGroup(doc, name=key, spans=spans)


class NumericClaims:
    """Finds numeric claims (value, unit, kind, direction) in a doc.

    DOCS: README.md, "spaCy components".
    """

    def __init__(self, nlp: Language, name: str = "numeric_claims", *, lang: str | None = None,
                 spans_key: str = "claims") -> None:
        self.name = name
        self.lang = _data_lang(nlp, lang)
        self.spans_key = spans_key
        self._finder = claim_finder(self.lang)

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        set_claims(doc, self._finder.find(text), self.spans_key)
        return doc


class MetricLinkerComponent:
    """Links ``doc._.claims`` to ontology metrics. The ontology is saved with
    the pipeline (``to_disk``), so a loaded pipeline links the same way."""

    def __init__(self, nlp: Language, name: str = "metric_linker", *, lang: str | None = None,
                 ontology: str | None = None, spans_key: str = "claims") -> None:
        self.name = name
        self.lang = _data_lang(nlp, lang)
        self.spans_key = spans_key
        self.ontology = ontology
        # loaded on first use, so that a pipeline restored with from_disk uses
        # the ontology saved with it even where the original file is gone
        self._kb: MetricKB | None = None
        self._linker: MetricLinker | None = None

    @property
    def kb(self) -> MetricKB:
        if self._kb is None:
            self._kb = load_ontology(self.ontology)
        return self._kb

    def __call__(self, doc: Doc) -> Doc:
        if self._linker is None:
            self._linker = MetricLinker(self.kb, self.lang)
        claims = doc._.claims or []
        set_claims(doc, self._linker.link(doc.text, claims), self.spans_key)
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "ontology.json", self.kb.to_dict())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "MetricLinkerComponent":
        path = ensure_path(path)
        self._kb = MetricKB.from_dict(srsly.read_json(path / "ontology.json"), source=str(path))
        self._linker = MetricLinker(self._kb, self.lang)
        return self


class PeriodResolverComponent:
    """Sets the period of every claim, the baseline of every change, and
    ``doc._.published`` (the publication date the page states in full)."""

    def __init__(self, nlp: Language, name: str = "period_resolver", *, lang: str | None = None,
                 spans_key: str = "claims") -> None:
        self.name = name
        self.lang = _data_lang(nlp, lang)
        self.spans_key = spans_key
        self._resolver = period_resolver(self.lang)

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        set_claims(doc, self._resolver.resolve(text, doc._.claims or []), self.spans_key)
        doc._.published = self._resolver.published(text)
        return doc


@Language.factory(
    "numeric_claims",
    assigns=["doc.spans", "doc._.claims"],
    default_config={"lang": None, "spans_key": "claims"},
)
def make_numeric_claims(nlp: Language, name: str, lang: str | None, spans_key: str) -> NumericClaims:
    return NumericClaims(nlp, name, lang=lang, spans_key=spans_key)


@Language.factory(
    "metric_linker",
    assigns=["doc.spans", "doc._.claims"],
    requires=["doc._.claims"],
    default_config={"lang": None, "ontology": None, "spans_key": "claims"},
)
def make_metric_linker(nlp: Language, name: str, lang: str | None, ontology: str | None,
                       spans_key: str) -> MetricLinkerComponent:
    return MetricLinkerComponent(nlp, name, lang=lang, ontology=ontology, spans_key=spans_key)


@Language.factory(
    "period_resolver",
    assigns=["doc.spans", "doc._.claims"],
    requires=["doc._.claims"],
    default_config={"lang": None, "spans_key": "claims"},
)
def make_period_resolver(nlp: Language, name: str, lang: str | None, spans_key: str) -> PeriodResolverComponent:
    return PeriodResolverComponent(nlp, name, lang=lang, spans_key=spans_key)
