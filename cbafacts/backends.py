"""Backends: what turns an article's text into claims.

A backend only decides how claims are found; every backend returns the same
:class:`~cbafacts.model.Claim` records. Backends register by name in
``BACKENDS`` (a catalogue registry, so a package can add one through the
``cbafacts_backends`` entry point).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import catalogue

if TYPE_CHECKING:  # spaCy (and the torch that thinc imports) load when a pipeline is built
    from spacy.language import Language

from .data import PACKAGE_DIR, load_yaml
from .errors import Errors
from .model import Claim

BACKENDS = catalogue.create("cbafacts", "backends", entry_points=True)
ROUTING_PATH = PACKAGE_DIR / "routing.yaml"


class Backend(Protocol):
    name: str

    def claims(self, text: str, lang: str) -> tuple[list[Claim], str | None]:
        """Claims of ``text`` and the publication date, if stated."""


def blank_pipeline(lang: str) -> Language:
    """``spacy.blank(lang)``, or the multi-language blank pipeline when spaCy
    has no such language or it needs a tokenizer that is not installed
    (Japanese without SudachiPy, Korean without mecab)."""
    import spacy

    try:
        return spacy.blank(lang)
    except Exception:  # noqa: BLE001 - any failure to build means: use "xx"
        return spacy.blank("xx")


@BACKENDS.register("spacy")
class SpacyBackend:
    """``spacy.blank(lang)`` (or a trained pipeline named in the routing
    table) plus the components ``numeric_claims``, ``metric_linker`` and
    ``period_resolver``."""

    name = "spacy"

    def __init__(self, ontology: str | None = None, models: dict[str, str] | None = None) -> None:
        self.ontology = ontology
        self.models = dict(models or {})
        self._nlps: dict[str, Language] = {}

    def nlp(self, lang: str) -> Language:
        """The pipeline for ``lang``, built once per backend."""
        if lang not in self._nlps:
            self._nlps[lang] = self._build(lang)
        return self._nlps[lang]

    def _build(self, lang: str) -> Language:
        import spacy

        import cbafacts.pipeline  # noqa: F401 - the components, even without entry points

        model = self.models.get(lang)
        if model:
            nlp = spacy.load(model, exclude=["ner", "lemmatizer", "textcat"])
        else:
            nlp = blank_pipeline(lang if lang != "und" else "xx")
        data_lang = "xx" if lang == "und" else lang
        nlp.add_pipe("numeric_claims", config={"lang": data_lang})
        nlp.add_pipe("metric_linker", config={"lang": data_lang, "ontology": self.ontology})
        nlp.add_pipe("period_resolver", config={"lang": data_lang})
        nlp.max_length = 10**9
        return nlp

    def claims(self, text: str, lang: str) -> tuple[list[Claim], str | None]:
        from .pipeline.factories import remember_text

        nlp = self.nlp(lang)
        # the components read the text we already have instead of joining
        # the doc's tokens again
        doc = nlp(remember_text(nlp.make_doc(text), text))
        return list(doc._.claims or []), doc._.published


@dataclass(frozen=True)
class Routing:
    """Language -> backend name, with a default."""

    default: str
    languages: dict[str, str]
    models: dict[str, str]

    def backend_for(self, lang: str) -> str:
        return self.languages.get(lang, self.default)

    @classmethod
    def load(cls, path: str | None = None) -> "Routing":
        src = str(path or ROUTING_PATH)
        data = load_yaml(src) or {}
        known = sorted(BACKENDS.get_all())
        default = str(data.get("default", "spacy"))
        langs = {str(k): str(v) for k, v in (data.get("languages") or {}).items()}
        for lang, backend in [("default", default), *langs.items()]:
            if backend not in known:
                raise ValueError(Errors.E401.format(source=src, backend=backend, lang=lang, known=known))
        return cls(default, langs, {str(k): str(v) for k, v in (data.get("spacy_models") or {}).items()})


def route_by_scores(scores: dict[str, dict[str, float]], default: str) -> dict[str, str]:
    """The routing policy: each language to the backend with the highest
    score (measured fact F1 on the dev split); a tie keeps ``default``, else
    the first name in sorted order.

    scores (dict[str, dict[str, float]]): language -> backend -> score.
    default (str): the table's default backend.
    RETURNS (dict[str, str]): language -> backend, sorted by language.
    """
    out = {}
    for lang, by_backend in sorted(scores.items()):
        best = max(by_backend.values())
        winners = sorted(b for b, v in by_backend.items() if v == best)
        out[lang] = default if default in winners else winners[0]
    return out


def get_backend(name: str, **kwargs) -> Backend:
    known = sorted(BACKENDS.get_all())
    if name not in known:
        raise ValueError(Errors.E402.format(backend=name, known=known))
    return BACKENDS.get(name)(**kwargs)


# the transformer tagger registers "transformer" (torch is imported only when
# a model is loaded)
from .transformer import backend as _transformer_backend  # noqa: E402,F401
