"""The spaCy components and their factories.

Each component is thin: the work is done by the shared, backend-neutral
modules (:mod:`cbafacts.claims`, :mod:`cbafacts.linking`,
:mod:`cbafacts.periods`). The exact claims live in ``doc._.claims`` (offsets
in code points, ``doc.text[c.start:c.end] == c.text``); ``doc.spans[key]``
holds the same claims as token spans (expanded to token boundaries where a
tokenizer cuts inside a number) with ``span._.claim`` and its attributes.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import srsly
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


#: the doc's text, kept by the first component that reads it
_TEXT_KEY = "cbafacts.text"


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per doc: spaCy joins every token's text
    on each access (the components would walk the tokens three times)."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is not None and len(doc) and len(text) == doc[-1].idx + len(doc[-1].text_with_ws):
        return text
    text = doc.text
    doc.user_data[_TEXT_KEY] = text
    return text


def remember_text(doc: Doc, text: str) -> Doc:
    """Give ``doc`` the text it was made from (``nlp.make_doc(text)``), so
    the components need not compute ``doc.text``."""
    doc.user_data[_TEXT_KEY] = text
    return doc


def set_claims(doc: Doc, claims: Iterable[Claim], key: str) -> None:
    """Store ``claims`` on the doc: ``doc._.claims`` and ``doc.spans[key]``."""
    claims = list(claims)
    doc._.claims = claims
    spans = []
    for c in claims:
        # the tokens overlapping [start, end) (a binary search per claim; no
        # walk over the doc's tokens)
        span = doc.char_span(c.start, c.end, label=c.metric or "CLAIM", alignment_mode="expand")
        if span is not None and len(span):
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
        text = doc_text(doc)
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
        set_claims(doc, self._linker.link(doc_text(doc), claims), self.spans_key)
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
        text = doc_text(doc)
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
