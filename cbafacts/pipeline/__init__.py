"""spaCy components of cbafacts.

Registered through the ``spacy_factories`` entry points (see pyproject.toml),
so ``nlp.add_pipe("numeric_claims")`` works without importing this package:

- ``numeric_claims``: numbers in the language's own writing -> ``doc.spans["claims"]``
- ``metric_linker``: each claim -> an ontology metric (``span._.metric``)
- ``period_resolver``: each claim -> the year it describes (``span._.period``)

Extensions are registered once, here.
"""
from spacy.tokens import Doc, Span

from ..model import Claim

CLAIM_ATTRS = (
    "value", "unit", "kind", "direction", "baseline", "metric", "period",
    "confidence", "qualifier", "precision", "measure",
)

if not Doc.has_extension("claims"):
    Doc.set_extension("claims", default=None)
if not Doc.has_extension("published"):
    Doc.set_extension("published", default=None)
if not Span.has_extension("claim"):
    Span.set_extension("claim", default=None)


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
