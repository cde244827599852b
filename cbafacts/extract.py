"""The Python API: ``Extractor().extract(text)`` and ``extract_many(records)``."""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping

from .backends import BACKENDS, Backend, Routing, get_backend
from .errors import Errors
from .detect import detect_language, normalize_code
from .io import InputError
from .model import ArticleError, ArticleResult, InputArticle


class Extractor:
    """Reads articles into claims, routing each language to its backend.

    routing (str | None): path of a routing table (default: the packaged
        ``routing.yaml``).
    backend (str | None): force one backend for every language.
    ontology (str | None): path of an ontology file (default: packaged).
    max_chars (int): longer texts get a ``too_large`` error record.

    Example:
        >>> ex = Extractor()
        >>> res = ex.extract("In 2024, 37 banks renamed ...", id="a1")
        >>> [c.value for c in res.claims]
    """

    def __init__(self, *, routing: str | None = None, backend: str | None = None,
                 ontology: str | None = None, max_chars: int = 5_000_000) -> None:
        self.routing = Routing.load(routing)
        self.forced_backend = backend
        if backend is not None and backend not in BACKENDS.get_all():
            raise ValueError(Errors.E402.format(backend=backend, known=sorted(BACKENDS.get_all())))
        self.ontology = ontology
        self.max_chars = max_chars
        self._backends: dict[str, Backend] = {}

    def backend(self, name: str) -> Backend:
        if name not in self._backends:
            kwargs: dict[str, Any] = {"ontology": self.ontology}
            if name == "spacy":
                kwargs["models"] = self.routing.models
            self._backends[name] = get_backend(name, **kwargs)
        return self._backends[name]

    def extract(self, text: str, id: str = "doc", *, lang: str | None = None,
                source: str | None = None, meta: Mapping[str, Any] | None = None,
                detected: tuple[str, float] | None = None) -> ArticleResult:
        """Extract the claims of one article.

        text (str): the article text; offsets of claims index into it.
        id (str): the article id carried into the result.
        lang (str | None): ISO 639-1 code; detected when None.
        detected (tuple[str, float] | None): what :func:`detect_language`
            answered for this very text, when the caller has asked already
            (the batch engine detects ahead in the parent while its workers'
            server warms up); used instead of detecting again when ``lang``
            is None.
        RETURNS (ArticleResult): the article's record; problems become an
            error record, never an exception.
        """
        problem = self._refusal(text, id)
        if problem is not None:
            return _error(id, source, *problem, meta)
        try:
            code, conf = detected if detected is not None and not lang else _language(text, lang)
            name = self.forced_backend or self.routing.backend_for(code)
            claims, published = self.backend(name).claims(text, code)
        except Exception as exc:  # noqa: BLE001 - one article never stops a batch
            return _error(id, source, "internal", f"{type(exc).__name__}: {exc}", meta)
        return ArticleResult(
            id=id, source=source, text=text, lang=code, lang_confidence=conf, backend=name,
            published=published, claims=tuple(claims), error=None, meta=meta,
        )

    def _refusal(self, text: Any, id: str) -> tuple[str, str] | None:
        """``(error type, message)`` for a text that is not read at all (not
        a string, empty, too large); None for one that is."""
        if not isinstance(text, str):
            return "missing_text", f"text of {id!r} is {type(text).__name__}, not a string"
        if not text.strip():
            return "empty", f"article {id!r} has no text"
        if len(text) > self.max_chars:
            return "too_large", f"article {id!r} has {len(text)} characters; the limit is {self.max_chars}"
        return None

    def warm_up(self, langs: Iterable[str]) -> None:
        """Build now what reading ``langs`` needs (each language's backend
        and pipeline), by extracting a short text in each.

        langs: ISO 639-1 codes (normalized as ``lang`` is).
        """
        for lang in langs:
            self.extract(_WARM_TEXT, "warm-up", lang=lang)

    def language_of(self, record: Any) -> tuple[str, float] | None:
        """The language :meth:`extract_many` will read ``record`` in, as
        ``(code, confidence)``; None for a record that becomes an error
        record whatever its language (an input error, no text, empty, too
        large). A record with a ``lang`` gets it, normalized, with 1.0;
        others are detected, exactly as :meth:`extract` detects.
        """
        if not isinstance(record, InputArticle) or self._refusal(record.text, record.id) is not None:
            return None
        return _language(record.text, record.lang)

    def extract_many(self, records: Iterable[Any],
                     detected: Iterable[tuple[str, float] | None] | None = None) -> Iterator[ArticleResult]:
        """Extract a stream of articles, lazily and in order.

        records: ``InputArticle`` / ``InputError`` (from
            :func:`cbafacts.io.iter_articles`), dicts ``{"id", "text", "lang"}``
            (other keys go to ``meta``), or plain strings (ids "0", "1", ...).
        detected: optional, one entry per record: :meth:`language_of`'s
            answer for it, so that an ``InputArticle`` is not detected
            again (other records ignore theirs).
        YIELDS (ArticleResult): one result per record.
        """
        known = iter(detected) if detected is not None else None
        for i, rec in enumerate(records):
            det = next(known) if known is not None else None
            if isinstance(rec, InputError):
                yield ArticleResult(id=rec.id, source=rec.source, error=rec.error)
            elif isinstance(rec, InputArticle):
                yield self.extract(rec.text, rec.id, lang=rec.lang, source=rec.source, meta=rec.meta,
                                   detected=det)
            elif isinstance(rec, str):
                yield self.extract(rec, str(i))
            elif isinstance(rec, Mapping):
                rid = str(rec.get("id", i))
                meta = {k: v for k, v in rec.items() if k not in ("id", "text", "lang")} or None
                if "text" not in rec:
                    yield _error(rid, None, "missing_text", f"record {rid!r} has no 'text'", meta)
                    continue
                yield self.extract(rec["text"], rid, lang=rec.get("lang"), source=rec.get("source"), meta=meta)
            else:
                yield _error(str(i), None, "missing_text", f"record {i} is a {type(rec).__name__}", None)


def _language(text: str, lang: str | None) -> tuple[str, float]:
    """``(code, confidence)``: ``lang`` normalized with 1.0 when given,
    else :func:`detect_language` of the text."""
    if lang:
        return normalize_code(lang), 1.0
    return detect_language(text)


#: what :meth:`Extractor.warm_up` extracts: a figure and a year, so that
#: every component runs
_WARM_TEXT = "In 2024, 41.7% rose 3 points."


def _error(id: str, source: str | None, type_: str, message: str,
           meta: Mapping[str, Any] | None) -> ArticleResult:
    return ArticleResult(id=id, source=source, error=ArticleError(type_, message), meta=meta)
