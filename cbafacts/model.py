"""Typed records shared by every part of cbafacts.

Backends find spans; everything downstream (linking, periods, output,
cross-validation) speaks these frozen dataclasses. ``to_dict`` gives the
record of ``formats.md`` with a fixed key order, so output is byte-stable.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

Unit = Literal["percent", "pp", "count"]
Kind = Literal["level", "change"]
Direction = Literal["up", "down"]

#: error ``type`` values allowed by formats.md
ERROR_TYPES = (
    "empty",
    "binary",
    "encoding",
    "too_large",
    "bad_json",
    "missing_text",
    "duplicate_id",
    "internal",
)


@dataclass(frozen=True)
class Mention:
    """A number found in text by :func:`cbafacts.numbers.parse`.

    start (int): first code point of the mention.
    end (int): one past the last code point (``text[start:end] == surface``).
    value (float): the resolved number (``723 juta`` -> 723000000.0).
    unit (str | None): ``percent``, ``pp``, ``years`` (a duration written
        with a year word) or None for a bare number.
    qualifier (str | None): ``approx``, ``gt``, ``lt``, ``ge``, ``le`` when
        the text bounds or approximates the number.
    precision (float): value of one unit of the last written digit
        (``92,88`` -> 0.01, ``723 juta`` -> 1e6); cross-validation uses half
        of it as the rounding tolerance.
    surface (str): the exact text.
    """

    start: int
    end: int
    value: float
    unit: str | None = None
    qualifier: str | None = None
    precision: float = 1.0
    surface: str = ""
    #: the value written as words ("empat", "four") rather than digits
    words: bool = False
    #: upper end when the mention is a range ("3–5%"), else None
    value_max: float | None = None
    #: offsets of the number alone, without its unit, prefix or range end
    #: ("44" in "44%", "四十五" in "百分之四十五"); equal to start/end when bare
    num_start: int = -1
    num_end: int = -1

    def __post_init__(self) -> None:
        if self.num_start < 0:
            object.__setattr__(self, "num_start", self.start)
        if self.num_end < 0:
            object.__setattr__(self, "num_end", self.end)


@dataclass(frozen=True)
class Claim:
    """A numeric claim: a mention plus what it is about."""

    text: str
    start: int
    end: int
    sentence: tuple[int, int]
    value: float
    unit: Unit
    kind: Kind = "level"
    direction: Direction | None = None
    baseline: str | None = None
    metric: str | None = None
    period: str | None = None
    confidence: float = 0.0
    qualifier: str | None = None
    precision: float = 1.0
    #: what a count measures when the text says so ("four years" -> "years")
    measure: str | None = None
    #: upper end when the figure is a range ("3-5%": value 3, value_max 5)
    value_max: float | None = None

    def evolve(self, **changes: Any) -> "Claim":
        """``dataclasses.replace(self, **changes)`` without running
        ``__init__`` again (a frozen dataclass sets each field through
        ``object.__setattr__``; the pipeline makes several copies of every
        claim). The values are taken as given.

        changes: new values of fields.
        RETURNS (Claim): the copy.
        """
        unknown = changes.keys() - CLAIM_FIELDS
        if unknown:
            raise TypeError(f"Claim has no field {sorted(unknown)[0]!r}")
        new = object.__new__(Claim)
        state = new.__dict__
        state.update(self.__dict__)
        state.update(changes)
        return new

    def to_dict(self) -> dict[str, Any]:
        d = {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "sentence": [self.sentence[0], self.sentence[1]],
            "value": float(self.value),
            "unit": self.unit,
            "kind": self.kind,
            "direction": self.direction,
            "baseline": self.baseline,
            "metric": self.metric,
            "period": self.period,
            "confidence": round(float(self.confidence), 4),
            "qualifier": self.qualifier,
            "precision": float(self.precision),
        }
        if self.measure is not None:
            d["measure"] = self.measure
        if self.value_max is not None:
            d["value_max"] = float(self.value_max)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "Claim":
        sent = d.get("sentence") or (d["start"], d["end"])
        return cls(
            text=d["text"],
            start=int(d["start"]),
            end=int(d["end"]),
            sentence=(int(sent[0]), int(sent[1])),
            value=float(d["value"]),
            unit=d["unit"],
            kind=d.get("kind", "level"),
            direction=d.get("direction"),
            baseline=None if d.get("baseline") is None else str(d["baseline"]),
            metric=d.get("metric"),
            period=None if d.get("period") is None else str(d["period"]),
            confidence=float(d.get("confidence", 0.0)),
            qualifier=d.get("qualifier"),
            precision=float(d["precision"]) if d.get("precision") is not None else precision_of(d["text"]),
            measure=d.get("measure"),
            value_max=None if d.get("value_max") is None else float(d["value_max"]),
        )


#: the field names of a Claim, in order
CLAIM_FIELDS = tuple(Claim.__dataclass_fields__)


def precision_of(surface: str) -> float:
    """Fallback precision for records written without one: decimals after
    the last ``.`` or ``,`` when it is followed by fewer than three digits."""
    digits = "".join(ch if ch.isdigit() or ch in ".," else " " for ch in surface).split()
    if not digits:
        return 1.0
    num = digits[0].rstrip(".,")
    for sep in (".", ","):
        if sep in num:
            tail = num.rsplit(sep, 1)[1]
            if tail.isdigit() and len(tail) != 3:
                return 10.0 ** -len(tail)
    return 1.0


@dataclass(frozen=True)
class ArticleError:
    type: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"type": self.type, "message": self.message}


@dataclass(frozen=True)
class ArticleResult:
    """One output line of ``cbafacts extract``."""

    id: str
    source: str | None
    text: str | None = None
    lang: str | None = None
    lang_confidence: float | None = None
    backend: str | None = None
    published: str | None = None
    claims: tuple[Claim, ...] = ()
    error: ArticleError | None = None
    meta: Mapping[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        if self.error is not None:
            d: dict[str, Any] = {
                "id": self.id,
                "source": self.source,
                "lang": None,
                "claims": [],
                "error": self.error.to_dict(),
            }
        else:
            d = {
                "id": self.id,
                "source": self.source,
                "lang": self.lang,
                "lang_confidence": None
                if self.lang_confidence is None
                else round(float(self.lang_confidence), 4),
                "backend": self.backend,
                "published": self.published,
                "text": self.text,
                "claims": [c.to_dict() for c in self.claims],
                "error": None,
            }
        if self.meta:
            d["meta"] = dict(self.meta)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ArticleResult":
        err = d.get("error")
        return cls(
            id=str(d["id"]),
            source=d.get("source"),
            text=d.get("text"),
            lang=d.get("lang"),
            lang_confidence=d.get("lang_confidence"),
            backend=d.get("backend"),
            published=d.get("published"),
            claims=tuple(Claim.from_dict(c) for c in d.get("claims") or ()),
            error=ArticleError(err["type"], err.get("message", "")) if err else None,
            meta=d.get("meta"),
        )


@dataclass(frozen=True)
class InputArticle:
    """An article as read from the input, before extraction."""

    id: str
    text: str
    source: str | None = None
    lang: str | None = None
    meta: Mapping[str, Any] | None = field(default=None)
