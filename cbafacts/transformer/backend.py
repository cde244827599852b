"""The ``transformer`` backend: the tagger finds the claims, the shared code
does the rest.

One claim data model, two taggers. The tagger decides which numbers are
claims and where they are (``NUM`` spans) and which are changes (``CHANGE``
spans); from there the path is the spaCy backend's:

- each ``NUM`` span is read by :func:`cbafacts.numbers.parse` (value, unit,
  precision, qualifier; the mention overlapping the span in the whole text,
  so a counted word or separator rule sees its context), and one mention
  gives one claim however many spans touch it;
- a figure is a change when a ``CHANGE`` span marks it (the figure after
  the span, else the one before it, with no figure in between) or when the
  shared change-word reading of :meth:`cbafacts.claims.ClaimFinder.change_of`
  says so; the direction comes from the language's change words
  (``cues.yaml``);
- :class:`cbafacts.linking.MetricLinker` sets the metric and
  :class:`cbafacts.periods.PeriodResolver` the period, baseline and
  publication date, exactly as the ``metric_linker`` and ``period_resolver``
  components do.

The model directory: the ``model`` argument, else ``$CBAFACTS_TAGGER_MODEL``,
else ``transformer_model`` in ``cbafacts/routing.yaml`` (relative paths from
the repository root), else ``models/cbafacts-tagger-small``.
"""
from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..backends import BACKENDS, ROUTING_PATH
from ..claims import change_value, claim_finder
from ..data import PACKAGE_DIR, load_yaml
from ..linking import MetricLinker
from ..model import Claim, Mention
from ..numbers import parse
from ..numbers.spec import data_lang
from ..ontology.kb import MetricKB, load_ontology
from ..periods import period_resolver
from .labels import Span
from .tagger import ENV_VAR, Tagger

REPO_DIR = PACKAGE_DIR.parent
DEFAULT_MODEL = REPO_DIR / "models" / "cbafacts-tagger-small"
#: characters between a change cue and its figure, at most
CUE_BEFORE_GAP = 40
CUE_AFTER_GAP = 25
#: probability of B-NUM + I-NUM from which a token is read as part of a number
NUM_THRESHOLD = 0.2


def resolve_model_dir(model: str | Path | None = None, routing: str | Path | None = None) -> Path:
    """Where the tagger is loaded from (argument, env var, routing table, default)."""
    if model:
        return Path(model)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    table = load_yaml(routing or ROUTING_PATH) or {}
    if table.get("transformer_model"):
        p = Path(str(table["transformer_model"]))
        return p if p.is_absolute() else REPO_DIR / p
    return DEFAULT_MODEL


def claims_from_spans(text: str, lang: str, spans: list[Span]) -> list[Claim]:
    """Claims (value, unit, kind, direction; no metric or period yet) from the
    tagger's spans of ``text``, in text order; ``text[c.start:c.end] == c.text``."""
    finder = claim_finder(lang)
    mentions = parse(text, finder.lang)
    chosen: dict[tuple[int, int], Mention] = {}
    tagged = [(a, b) for typ, a, b in spans if typ == "NUM"]
    for a, b in tagged:
        hits = [m for m in mentions if m.start < b and a < m.end]
        if not hits:  # the span read on its own
            hits = [_shift(m, a) for m in parse(text[a:b], finder.lang)]
        for m in hits:
            # the tagger must mark most of the number itself ("4" of "2024"
            # tagged alone does not make the year a claim)
            if _covered(tagged, m.num_start, m.num_end) * 2 >= m.num_end - m.num_start:
                chosen.setdefault((m.start, m.end), m)
    picked: list[Mention] = []
    for m in sorted(chosen.values(), key=lambda m: (m.start, -(m.end - m.start))):
        if picked and m.start < picked[-1].end:
            continue  # inside a mention already taken
        picked.append(m)
    sents = finder.sentences(text)
    sent_of = [_sentence(sents, m) for m in picked]
    kinds: dict[int, str | None] = {}
    for typ, a, b in spans:
        if typ == "CHANGE":
            i = _figure_of_cue(picked, sent_of, a, b, text)
            if i is not None and i not in kinds:
                kinds[i] = _direction(finder, text, a, b)
    out = []
    for i, m in enumerate(picked):
        # the shared reading of change words (claims.ClaimFinder.change_of),
        # joined with the changes the tagger marked
        rule_kind, rule_direction = finder.change_of(text, m, *sent_of[i])
        change = i in kinds or rule_kind == "change"
        direction = kinds.get(i) or rule_direction
        kind = "change" if change else "level"
        out.append(Claim(
            text=m.surface, start=m.start, end=m.end, sentence=sent_of[i],
            value=change_value(m.value, kind, direction if change else None),
            unit={"percent": "percent", "pp": "pp"}.get(m.unit or "", "count"),  # type: ignore[arg-type]
            kind=kind, direction=direction if change else None,
            qualifier=m.qualifier, precision=m.precision, confidence=0.0,
            measure="years" if m.unit == "years" else None, value_max=m.value_max,
        ))
    return out


def _covered(spans: list[tuple[int, int]], a: int, b: int) -> int:
    return sum(max(0, min(b, e) - max(a, s)) for s, e in spans)


def _shift(m: Mention, by: int) -> Mention:
    return replace(m, start=m.start + by, end=m.end + by, num_start=m.num_start + by, num_end=m.num_end + by)


def _sentence(sents: list[tuple[int, int]], m: Mention) -> tuple[int, int]:
    for s0, s1 in sents:
        if s0 <= m.start < s1:
            return (s0, s1)
    return (m.start, m.end)


def _figure_of_cue(picked: list[Mention], sent_of: list[tuple[int, int]], a: int, b: int,
                   text: str) -> int | None:
    """The figure a change cue at ``[a, b)`` belongs to: the next one in its
    sentence, else the previous one, with nothing but words in between."""
    after = next((i for i, m in enumerate(picked) if m.start >= b), None)
    if after is not None and sent_of[after][0] <= a and picked[after].start - b <= CUE_BEFORE_GAP:
        return after
    before = next((i for i in range(len(picked) - 1, -1, -1) if picked[i].end <= a), None)
    if before is not None and a < sent_of[before][1] and a - picked[before].end <= CUE_AFTER_GAP:
        return before
    return None


def _direction(finder: Any, text: str, a: int, b: int) -> str | None:
    cues = finder.cues
    d = cues.direction_of(text[a:b])
    if d is not None or not (cues.change_up or cues.change_down):
        return d
    rx = _cue_regex(finder.lang)
    hit = rx.search(text, max(0, a - 8), min(len(text), b + 8))
    return cues.direction_of(hit.group(0)) if hit else None


_CUE_RX: dict[str, re.Pattern] = {}


def _cue_regex(lang: str) -> re.Pattern:
    if lang not in _CUE_RX:
        cues = claim_finder(lang).cues
        _CUE_RX[lang] = re.compile(cues.phrase(cues.change_up + cues.change_down), re.I)
    return _CUE_RX[lang]


@BACKENDS.register("transformer")
class TransformerBackend:
    """The tagger plus the shared linker and period resolver.

    ontology (str | None): ontology file (default: packaged).
    model (str | None): model directory (see :func:`resolve_model_dir`).
    window, overlap, batch_size, threads, num_threshold: passed to :class:`Tagger`.
    RAISES: ``[E801]``/``[E802]`` for a missing or incomplete model directory.
    """

    name = "transformer"

    def __init__(self, ontology: str | None = None, model: str | None = None, *, window: int | None = None,
                 overlap: int | None = None, batch_size: int = 16, threads: int | None = None,
                 num_threshold: float = NUM_THRESHOLD, **_: Any) -> None:
        self.ontology = ontology
        self.model_dir = resolve_model_dir(model)
        self.tagger = Tagger.load(self.model_dir, window=window, overlap=overlap, batch_size=batch_size,
                                  threads=threads, num_threshold=num_threshold)
        self._kb: MetricKB | None = None
        self._linkers: dict[str, MetricLinker] = {}

    def linker(self, lang: str) -> MetricLinker:
        if lang not in self._linkers:
            if self._kb is None:
                self._kb = load_ontology(self.ontology)
            self._linkers[lang] = MetricLinker(self._kb, lang)
        return self._linkers[lang]

    def spans(self, texts: list[str]) -> list[list[Span]]:
        """The tagger's raw spans, per text."""
        return self.tagger.tag(texts)

    def claims(self, text: str, lang: str) -> tuple[list[Claim], str | None]:
        return self.claims_many([text], lang)[0]

    def claims_many(self, texts: list[str], lang: str) -> list[tuple[list[Claim], str | None]]:
        """:meth:`claims` of several texts of one language, tagged in shared batches."""
        code = "xx" if lang == "und" else lang
        linker = self.linker(code)
        resolver = period_resolver(data_lang(code))
        out = []
        for text, spans in zip(texts, self.spans(texts)):
            claims = claims_from_spans(text, code, spans)
            claims = resolver.resolve(text, linker.link(text, claims))
            out.append((claims, resolver.published(text)))
        return out
