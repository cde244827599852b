"""spaCy components of cbafacts.

Registered through the ``spacy_factories`` entry points (see pyproject.toml),
so ``nlp.add_pipe("numeric_claims")`` works without importing this package:

- ``numeric_claims``: numbers in the language's own writing -> ``doc.spans["claims"]``
- ``metric_linker``: each claim -> an ontology metric (``span._.metric``)
- ``period_resolver``: each claim -> the year it describes (``span._.period``)

Extensions are registered once, here.
"""
from spacy.tokens import Doc, Span

from ..model import CLAIM_FIELDS, Claim

CLAIM_ATTRS = (
    "value", "unit", "kind", "direction", "baseline", "metric", "period",
    "confidence", "qualifier", "precision", "measure", "value_max",
)

#: where the claims are kept in ``doc.user_data``: plain dicts, so that
#: ``doc.to_bytes()``, ``DocBin`` and ``nlp.pipe(n_process=...)`` can carry them
USER_DATA_KEY = "cbafacts.claims"


#: the records list last stored by ``doc._.claims = ...`` and the claims it
#: was made from: the next component of the pipeline gets those back instead
#: of claims rebuilt from the dicts (the list is compared by identity; a doc
#: restored from bytes or given new records is read from its dicts). Change
#: claims through ``doc._.claims = ...``: dicts edited in place in
#: ``doc.user_data`` are not seen until the next set.
_last_set: tuple[list, tuple[Claim, ...]] | None = None


def _get_claims(doc: Doc) -> list[Claim] | None:
    records = doc.user_data.get(USER_DATA_KEY)
    if records is None:
        return None
    last = _last_set
    if last is not None and last[0] is records:
        return list(last[1])
    return [Claim.from_dict(r) for r in records]


def _set_claims(doc: Doc, claims) -> None:
    global _last_set
    claims = tuple(claims)
    # a shallow dict per claim (dataclasses.asdict deep-copies: 10x slower); a
    # Claim's own __dict__ holds its fields in field order (__init__ and
    # evolve set them so)
    records = [dict(c.__dict__) if type(c) is Claim else {f: getattr(c, f) for f in CLAIM_FIELDS}
               for c in claims]
    doc.user_data[USER_DATA_KEY] = records
    _last_set = (records, claims) if all(type(c) is Claim for c in claims) else None


def _span_claim(span: Span) -> Claim | None:
    """The claim a span of ``doc.spans["claims"]`` stands for: the longest
    claim inside the span's characters."""
    best = None
    for r in span.doc.user_data.get(USER_DATA_KEY) or ():
        if span.start_char <= r["start"] and r["end"] <= span.end_char:
            if best is None or r["end"] - r["start"] > best["end"] - best["start"]:
                best = r
    return None if best is None else Claim.from_dict(best)


if not Doc.has_extension("claims"):
    Doc.set_extension("claims", getter=_get_claims, setter=_set_claims)
if not Doc.has_extension("published"):
    Doc.set_extension("published", default=None)
if not Span.has_extension("claim"):
    Span.set_extension("claim", getter=_span_claim)


def _getter(attr: str):
    def get(span: Span):
        claim: Claim | None = span._.claim
        return None if claim is None else getattr(claim, attr)

    return get


for _attr in CLAIM_ATTRS:
    if not Span.has_extension(_attr):
        Span.set_extension(_attr, getter=_getter(_attr))

from .factories import MetricLinkerComponent, NumericClaims, PeriodResolverComponent  # noqa: E402

__all__ = ["NumericClaims", "MetricLinkerComponent", "PeriodResolverComponent", "CLAIM_ATTRS"]
