"""Cross-validation of extracted claims across articles and languages.

Contract: the section "Cross-validation report" of ``formats.md``.

The report has five parts:

- ``facts``: one per (metric, period) over the level claims, with the agreed
  value and a status (``confirmed``, ``single`` or ``conflict``);
- ``derived``: values implied by a change claim at its baseline period, one
  per reading of the change (``pp``, ``relative``, ``absolute``);
- ``checks`` and ``readings``: each derived value held against the values
  reported directly for that metric and period, and per change claim the
  readings that fit;
- ``repeats``: the same value reported for several periods of one metric;
- ``summary``: counts.

Two values agree when they are equal at the precision written: a value with
precision ``p`` (one unit of its last written digit) stands for ``value ±
p/2``, and ``a`` agrees with ``b`` when ``|a - b| <= max(pa, pb) / 2``.
Agreement is not transitive (99.46 ~ 99.5 ~ 99.54 but 99.46 !~ 99.54), so the
claims of a fact are split into clusters that agree pairwise: repeatedly the
largest clique of the agreement graph (most distinct articles, then most
mentions, then smallest value) is taken out.

Everything in the report is sorted, so ``report.to_json()`` is byte-identical
across runs and independent of the order of the input articles.
"""
from __future__ import annotations

import functools
import gc
import json
import math
import operator
from bisect import bisect_left, bisect_right
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable, Hashable, Iterable, Iterator, Mapping, NamedTuple, Sequence, TypeVar

from .model import ArticleResult, Claim

__all__ = [
    "EPSILON",
    "ClaimRef",
    "FactClaim",
    "FactValue",
    "Fact",
    "Derived",
    "Check",
    "ReadingVerdict",
    "Repeat",
    "Summary",
    "CrossValReport",
    "values_agree",
    "cross_validate",
    "cross_validate_rows",
]

#: slack added to every tolerance, against binary floating point error
EPSILON = 1e-9
#: decimals kept for computed numbers (derived values, tolerances)
DECIMALS = 6
#: the order in which readings are listed
READING_ORDER = ("pp", "relative", "absolute")
REPEAT_NOTE = "same value reported for several periods; check whether a figure was carried over"
#: above this many distinct values in one group, clusters are built greedily
#: instead of by exact clique search (which is exponential in the worst case)
_MAX_EXACT_NODES = 24
#: a check names at most this many of the articles reporting the value it
#: is held against (the full list is the fact's ``values[cluster].articles``;
#: listing it in every check would make the report grow with changes x
#: articles)
REPORTED_BY_MAX = 10

T = TypeVar("T")


# --------------------------------------------------------------------------
# public records
# --------------------------------------------------------------------------


@contextmanager
def no_gc() -> Iterator[None]:
    """Hold the cyclic garbage collector off while a report is built or
    written: its records form no cycles, and with millions of them alive
    every collection walks them all (a third of the time of a report of a
    million claims). Reference counting still frees everything. Nested
    uses keep it off until the outermost ends: wrap the whole life of a
    report (rows read, report built, written, freed) in one, or the
    collector, turned back on between the steps, walks all the objects
    made while it was off."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _without_gc(fn: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        with no_gc():
            return fn(*args, **kwargs)

    return wrapper


def _num(x: float) -> float:
    """Round a computed number for output; never give ``-0.0``.

    x (float): the number.
    RETURNS (float): ``x`` rounded to ``DECIMALS`` decimals.
    """
    return round(float(x), DECIMALS) + 0.0


#: most numbers one :func:`_memo_num` remembers
_NUM_MEMO_MAX = 1 << 16


def _memo_num() -> Callable[[float], float]:
    """:func:`_num` remembering its answers (a corpus's derived values,
    tolerances and differences repeat: the same figures retold). Equal
    floats have one answer (``-0.0`` and ``0.0`` both give ``0.0``); NaN
    is never found, so always computed."""
    memo: dict[float, float] = {}
    get = memo.get

    def num(x: float) -> float:
        got = get(x)
        if got is None:
            got = _num(x)
            if len(memo) < _NUM_MEMO_MAX:
                memo[x] = got
        return got

    return num


@dataclass(slots=True)  # a record; not frozen: a report holds one per change or claim
class ClaimRef:
    """Where a claim is written: article id and character offsets.

    id (str): the article id.
    start (int): first code point of the claim.
    end (int): one past its last code point.
    """

    id: str
    start: int
    end: int

    def sort_key(self) -> tuple[str, int, int]:
        return (self.id, self.start, self.end)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "start": self.start, "end": self.end}


class FactClaim(NamedTuple):
    """A level claim supporting a fact (an immutable record; a named tuple
    because a report holds one per claim, and tuples are the fastest
    records to make).

    id (str): the article id.
    lang (str | None): the article language.
    start (int): first code point of the claim.
    end (int): one past its last code point.
    value (float): the value as written.
    precision (float): one unit of the last written digit.
    """

    id: str
    lang: str | None
    start: int
    end: int
    value: float
    precision: float

    def sort_key(self) -> tuple[Any, ...]:
        return (self.id, self.start, self.end, self.value, self.precision, self.lang or "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "lang": self.lang,
            "start": self.start,
            "end": self.end,
            "value": float(self.value),
            "precision": float(self.precision),
        }


@dataclass(frozen=True)
class FactValue:
    """One distinct written value of a fact.

    value (float): the value.
    precision (float): its precision as written.
    articles (tuple[str, ...]): ids of the articles writing it, sorted.
    mentions (int): how many claims write it.
    cluster (int): index of its agreement cluster; 0 is the cluster whose
        value the fact reports, higher ones disagree with it.
    """

    value: float
    precision: float
    articles: tuple[str, ...]
    mentions: int
    cluster: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": float(self.value),
            "precision": float(self.precision),
            "articles": list(self.articles),
            "mentions": self.mentions,
            "cluster": self.cluster,
        }


@dataclass(frozen=True)
class Fact:
    """The value of a metric in a period as reported directly by articles.

    metric (str): metric id.
    period (str): period, e.g. ``"2024"``.
    value (float): the agreed value (for a conflict: that of the cluster
        with most distinct articles).
    precision (float): precision of ``value`` as written.
    status (str): ``confirmed``, ``single`` or ``conflict``.
    articles (tuple[str, ...]): ids of the articles supporting ``value``.
    claims (tuple[FactClaim, ...]): every level claim for this metric and
        period, sorted by article id and offset.
    values (tuple[FactValue, ...]): the distinct written values, sorted by
        cluster then value.
    """

    metric: str
    period: str
    value: float
    precision: float
    status: str
    articles: tuple[str, ...]
    claims: tuple[FactClaim, ...]
    values: tuple[FactValue, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "period": self.period,
            "value": float(self.value),
            "precision": float(self.precision),
            "status": self.status,
            "articles": list(self.articles),
            "claims": [c.to_dict() for c in self.claims],
            "values": [v.to_dict() for v in self.values],
        }


@dataclass(slots=True)  # a record; not frozen: a report holds one per change or claim
class Derived:
    """A value implied by a change claim at the change's baseline period.

    metric (str): metric id.
    period (str): the baseline period the value is implied for.
    value (float): the implied value.
    tolerance (float): rounding carried from the level and the change.
    reading (str): ``pp`` (v - s*c), ``relative`` (v / (1 + s*c/100)) or
        ``absolute`` (v - s*c for a change written as a plain count).
    source (ClaimRef): the change claim.
    level_from (ClaimRef | None): the level claim used, when taken from the
        change's own article; None when the agreed fact value was used.
    level_source (str): ``article`` or ``fact``.
    change (float): the change value c as written.
    change_unit (str): the unit the change was written in.
    direction (str): ``up`` or ``down``.
    change_period (str): period of the change (and of the level).
    level (float): the level value v.
    level_precision (float): precision of v.
    """

    metric: str
    period: str
    value: float
    tolerance: float
    reading: str
    source: ClaimRef
    level_from: ClaimRef | None
    level_source: str
    change: float
    change_unit: str
    direction: str
    change_period: str
    level: float
    level_precision: float

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.metric,
            self.period,
            self.source.sort_key(),
            READING_ORDER.index(self.reading),
            self.value,
        )

    def to_dict(self) -> dict[str, Any]:
        if self.level_from is not None:
            level_from: dict[str, Any] = self.level_from.to_dict()
        else:
            level_from = {"metric": self.metric, "period": self.change_period}
        return {
            "metric": self.metric,
            "period": self.period,
            "value": self.value,
            "tolerance": self.tolerance,
            "reading": self.reading,
            "from": self.source.to_dict(),
            "level_from": level_from,
            "level_source": self.level_source,
            "change": float(self.change),
            "change_unit": self.change_unit,
            "direction": self.direction,
            "change_period": self.change_period,
            "level": float(self.level),
            "level_precision": float(self.level_precision),
        }


@dataclass(slots=True)  # a record; not frozen: a report holds one per change or claim
class Check:
    """A derived value held against a directly reported value.

    A fact in conflict has several reported values (clusters); the derived
    value is held against each of them, so it can tell which one fits.

    metric (str): metric id.
    period (str): the period compared.
    reading (str): the reading of the derived value.
    derived (float): the derived value.
    reported (float): the reported value (a cluster's value).
    difference (float): ``derived - reported``.
    tolerance (float): derived tolerance plus half the reported precision.
    status (str): ``agrees`` or ``disagrees``.
    source (ClaimRef): the change claim the derived value comes from.
    reported_by (tuple[str, ...]): ids of the articles reporting the value,
        sorted; the first ``REPORTED_BY_MAX`` of them.
    reported_by_count (int): how many articles report the value.
    fact_status (str): status of the fact checked against.
    cluster (int): which cluster of the fact (0 = the fact's own value).
    """

    metric: str
    period: str
    reading: str
    derived: float
    reported: float
    difference: float
    tolerance: float
    status: str
    source: ClaimRef
    reported_by: tuple[str, ...]
    fact_status: str
    cluster: int
    reported_by_count: int = 0

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.metric,
            self.period,
            self.source.sort_key(),
            READING_ORDER.index(self.reading),
            self.cluster,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "period": self.period,
            "reading": self.reading,
            "derived": self.derived,
            "reported": float(self.reported),
            "difference": self.difference,
            "tolerance": self.tolerance,
            "status": self.status,
            "from": self.source.to_dict(),
            "reported_by": list(self.reported_by),
            "reported_by_count": self.reported_by_count,
            "fact_status": self.fact_status,
            "cluster": self.cluster,
        }


@dataclass(slots=True)  # a record; not frozen: a report holds one per change or claim
class ReadingVerdict:
    """Which readings of one change claim fit the reported values.

    source (ClaimRef): the change claim.
    metric (str): metric id.
    period (str): the baseline period.
    agrees (tuple[str, ...]): readings with a check that agrees.
    disagrees (tuple[str, ...]): readings whose every check disagrees.
    unchecked (tuple[str, ...]): readings with nothing reported to check.
    """

    source: ClaimRef
    metric: str
    period: str
    agrees: tuple[str, ...]
    disagrees: tuple[str, ...]
    unchecked: tuple[str, ...]

    def sort_key(self) -> tuple[Any, ...]:
        return (self.metric, self.period, self.source.sort_key())

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": self.source.to_dict(),
            "metric": self.metric,
            "period": self.period,
            "agrees": list(self.agrees),
            "disagrees": list(self.disagrees),
            "unchecked": list(self.unchecked),
        }


@dataclass(frozen=True)
class Repeat:
    """One metric reported with agreeing values for several periods.

    metric (str): metric id.
    value (float): the value (the most precise one written).
    periods (tuple[str, ...]): the periods, sorted.
    articles (tuple[str, ...]): ids of the articles reporting it, sorted.
    note (str): what a reader should check.
    """

    metric: str
    value: float
    periods: tuple[str, ...]
    articles: tuple[str, ...]
    note: str = REPEAT_NOTE

    def sort_key(self) -> tuple[Any, ...]:
        return (self.metric, self.periods, self.value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "value": float(self.value),
            "periods": list(self.periods),
            "articles": list(self.articles),
            "note": self.note,
        }


@dataclass(frozen=True)
class Summary:
    """Counts over the report.

    articles (int): articles read (without error).
    skipped (int): error records skipped.
    facts (int): number of facts.
    confirmed (int): facts with status ``confirmed``.
    single (int): facts with status ``single``.
    conflict (int): facts with status ``conflict``.
    derived (int): number of derived values.
    checks (int): number of checks.
    agrees (int): checks that agree.
    disagrees (int): checks that disagree.
    repeats (int): number of repeats.
    conflicts (tuple[tuple[str, str], ...]): (metric, period) of each
        conflict, sorted.
    """

    articles: int
    skipped: int
    facts: int
    confirmed: int
    single: int
    conflict: int
    derived: int
    checks: int
    agrees: int
    disagrees: int
    repeats: int
    conflicts: tuple[tuple[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "skipped": self.skipped,
            "facts": {
                "total": self.facts,
                "confirmed": self.confirmed,
                "single": self.single,
                "conflict": self.conflict,
            },
            "derived": self.derived,
            "checks": {"total": self.checks, "agrees": self.agrees, "disagrees": self.disagrees},
            "repeats": self.repeats,
            "conflicts": [{"metric": m, "period": p} for m, p in self.conflicts],
        }


@dataclass(frozen=True)
class CrossValReport:
    """The cross-validation report (``cbafacts crossval``).

    facts (tuple[Fact, ...]): sorted by metric, period.
    derived (tuple[Derived, ...]): sorted by metric, period, change claim,
        reading.
    checks (tuple[Check, ...]): sorted like ``derived``, then by cluster.
    readings (tuple[ReadingVerdict, ...]): one per change claim with a
        derived value, sorted by metric, period, change claim.
    repeats (tuple[Repeat, ...]): sorted by metric, periods.
    summary (Summary): counts.
    """

    facts: tuple[Fact, ...]
    derived: tuple[Derived, ...]
    checks: tuple[Check, ...]
    readings: tuple[ReadingVerdict, ...]
    repeats: tuple[Repeat, ...]
    summary: Summary

    def to_dict(self) -> dict[str, Any]:
        """The report as one JSON-able dict, keys in a fixed order.

        RETURNS (dict[str, Any]): the report.
        """
        return {
            "facts": [f.to_dict() for f in self.facts],
            "derived": [d.to_dict() for d in self.derived],
            "checks": [c.to_dict() for c in self.checks],
            "readings": [r.to_dict() for r in self.readings],
            "repeats": [r.to_dict() for r in self.repeats],
            "summary": self.summary.to_dict(),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text, byte-stable across runs.

        Written with orjson, one call per part of the report (records are
        given to it as dicts: it reads those three times faster than
        dataclasses); a report of a million claims takes about two seconds.

        indent (int | None): with a number, each part of the report on its
            own lines and each record of it on one line, indented (readable
            and diffable); None: one compact line.
        RETURNS (str): the JSON document (``json.loads(report.to_json()) ==
            report.to_dict()``).
        """
        return self.to_json_bytes(indent).decode("utf-8")

    def to_json_bytes(self, indent: int | None = 2) -> bytes:
        """:meth:`to_json` as UTF-8 bytes."""
        return b"".join(self._json_chunks(indent))

    def write_json(self, fh: BinaryIO, indent: int | None = 2) -> None:
        """Write :meth:`to_json_bytes` to a binary file, part by part (a
        large report is never held twice in memory)."""
        for chunk in self._json_chunks(indent):
            fh.write(chunk)

    @_without_gc
    def _json_chunks(self, indent: int | None) -> list[bytes]:
        import orjson

        # each part's records made only when it is written, and freed after
        parts: dict[str, Callable[[], Any]] = {
            "facts": lambda: [_fact_fields(f) for f in self.facts],
            "derived": lambda: [d.to_dict() for d in self.derived],
            "checks": lambda: [c.to_dict() for c in self.checks],
            "readings": lambda: [r.to_dict() for r in self.readings],
            "repeats": lambda: [r.to_dict() for r in self.repeats],
            "summary": self.summary.to_dict,
        }
        if indent is None:
            return [orjson.dumps({key: make() for key, make in parts.items()})]
        pad = (" " * indent).encode()
        out = [b"{\n"]
        for key, make in parts.items():
            if len(out) > 1:
                out.append(b",\n")
            out.append(pad + json.dumps(key).encode() + b": ")
            value = make()
            if isinstance(value, list) and value:
                out += [b"[\n" + pad * 2, _dumps_lines(value, b",\n" + pad * 2), b"\n" + pad + b"]"]
            else:
                out.append(orjson.dumps(value))
        out.append(b"\n}")
        return out


def _fact_fields(f: Fact) -> dict[str, Any]:
    """A fact's fields as orjson writes a dataclass (the same JSON, written
    three times faster: orjson reads dicts faster than dataclasses)."""
    return {
        "metric": f.metric,
        "period": f.period,
        "value": f.value,
        "precision": f.precision,
        "status": f.status,
        "articles": f.articles,
        # unpacked in FactClaim's field order (faster than its attributes)
        "claims": [
            {"id": i, "lang": lang, "start": start, "end": end, "value": value, "precision": precision}
            for i, lang, start, end, value, precision in f.claims
        ],
        "values": f.values,
    }


#: a raw byte orjson never writes (control characters in strings come out
#: as ``\u0001``): the mark between the records of one ``orjson.dumps`` call
_MARK = b"\x01"
#: below this many records, one ``orjson.dumps`` call each costs less
_FEW_RECORDS = 1000


def _dumps_lines(records: list[Any], sep: bytes) -> bytes | memoryview:
    """``sep.join(orjson.dumps(r) for r in records)`` in one orjson call
    (its cost per call is several times its cost per record): the records
    are written as one array with a raw ``_MARK`` fragment between them,
    and each ``,MARK,`` becomes ``sep`` (a view without the brackets: a
    slice would copy the whole text once more)."""
    import orjson

    if len(records) < _FEW_RECORDS:  # few large records (facts): no marks to replace
        return sep.join(map(orjson.dumps, records))
    mark = orjson.Fragment(_MARK)
    mixed: list[Any] = [mark] * (2 * len(records) - 1)
    mixed[0::2] = records
    return memoryview(orjson.dumps(mixed).replace(b"," + _MARK + b",", sep))[1:-1]


# --------------------------------------------------------------------------
# agreement and clustering
# --------------------------------------------------------------------------


def values_agree(a: float, pa: float, b: float, pb: float) -> bool:
    """Whether two written values are equal at the precision written.

    a (float): first value.
    pa (float): its precision (one unit of its last written digit).
    b (float): second value.
    pb (float): its precision.
    RETURNS (bool): ``|a - b| <= max(pa, pb) / 2`` (plus ``EPSILON``).
    """
    return abs(a - b) <= max(pa, pb) / 2 + EPSILON


def _maximal_cliques(n: int, adj: Sequence[frozenset[int]]) -> list[frozenset[int]]:
    """Every maximal clique of a small graph (Bron–Kerbosch with pivot).

    n (int): number of nodes, ``0 .. n-1``.
    adj (Sequence[frozenset[int]]): neighbours of each node.
    RETURNS (list[frozenset[int]]): the maximal cliques.
    """
    out: list[frozenset[int]] = []

    def expand(r: frozenset[int], p: set[int], x: set[int]) -> None:
        if not p and not x:
            out.append(r)
            return
        pivot = min(p | x, key=lambda u: (-len(adj[u] & p), u))
        for v in sorted(p - adj[pivot]):
            expand(r | {v}, p & adj[v], x & adj[v])
            p = p - {v}
            x = x | {v}

    expand(frozenset(), set(range(n)), set())
    return out


def _partition(
    nodes: Sequence[T],
    agree: Callable[[T, T], bool],
    rank: Callable[[Sequence[T]], Hashable],
) -> list[list[T]]:
    """Split nodes into clusters whose members agree pairwise.

    Repeatedly takes out the best clique (smallest ``rank``). ``nodes`` must
    be in a canonical order; ties in ``rank`` are broken by node positions.

    nodes (Sequence[T]): the nodes, canonically sorted.
    agree (Callable[[T, T], bool]): the (symmetric) agreement relation.
    rank (Callable[[Sequence[T]], Hashable]): sort key of a cluster, best
        first; its members are given in node order.
    RETURNS (list[list[T]]): the clusters, best first, members in node order.
    """
    remaining = list(range(len(nodes)))
    clusters: list[list[T]] = []
    while remaining:
        if len(remaining) <= _MAX_EXACT_NODES:
            pos = {node: i for i, node in enumerate(remaining)}
            adj = [
                frozenset(
                    pos[j] for j in remaining if j != i and agree(nodes[i], nodes[j])
                )
                for i in remaining
            ]
            candidates = [
                sorted(remaining[k] for k in clique)
                for clique in _maximal_cliques(len(remaining), adj)
            ]
        else:  # greedy: grow a clique from each seed, in node order
            candidates = []
            for seed in remaining:
                members = [seed]
                for j in remaining:
                    if j != seed and all(agree(nodes[j], nodes[m]) for m in members):
                        members.append(j)
                candidates.append(sorted(members))
        best = min(candidates, key=lambda c: (rank([nodes[i] for i in c]), c))
        clusters.append([nodes[i] for i in best])
        chosen = set(best)
        remaining = [i for i in remaining if i not in chosen]
    return clusters


# --------------------------------------------------------------------------
# input
# --------------------------------------------------------------------------


class _Row(NamedTuple):
    """A claim linked to a metric, in the form cross-validation works on
    (both the JSONL path and the fact store's SQL produce these)."""

    article: str
    lang: str | None
    kind: str
    metric: str
    period: str | None
    value: float
    precision: float
    start: int
    end: int
    sent_start: int
    sent_end: int
    unit: str
    direction: str | None
    baseline: str | None


#: a usable level claim: a row with a period and a finite value
_Level = _Row
#: fields of a level row: its place in a fact's claims, and a FactClaim's
_LEVEL_ORDER = operator.itemgetter(0, 7, 8, 5, 6)
_AS_FACT_CLAIM = operator.itemgetter(0, 1, 7, 8, 5, 6)
_ARTICLE = operator.itemgetter(0)


def record_maker(cls: type[T]) -> Callable[[tuple[Any, ...]], T]:
    """A maker of named tuples of ``cls`` from plain tuples of their fields
    in field order: ``tuple.__new__`` bound to the class, what ``_make``
    calls, without its Python frame and length check (a third faster per
    record; for callers whose tuples have exactly the fields)."""
    return functools.partial(tuple.__new__, cls)  # type: ignore[return-value]


_MAKE_FACT_CLAIM = record_maker(FactClaim)
#: a change row's metric, baseline and place
_CHANGE_ORDER = operator.itemgetter(3, 13, 0, 7, 8)


def _row_of(article: str, lang: str | None, c: Claim) -> _Row:
    return _Row(article, lang, c.kind, c.metric, c.period, float(c.value), _precision(c), c.start, c.end,
                c.sentence[0], c.sentence[1], c.unit, c.direction, c.baseline)


def _precision(claim: Claim) -> float:
    p = abs(float(claim.precision))
    return p if math.isfinite(p) else 1.0


def _canon(d: Mapping[str, Any]) -> str:
    """Canonical text of a record, the last tie-break of every sort."""
    return json.dumps(d, sort_keys=True, ensure_ascii=False)


def _to_result(item: ArticleResult | Mapping[str, Any]) -> ArticleResult:
    if isinstance(item, ArticleResult):
        return item
    if isinstance(item, Mapping):
        return ArticleResult.from_dict(item)
    raise TypeError(f"expected ArticleResult or mapping, got {type(item).__name__}")


def _metric_units(metrics: Iterable[str], percent_seen: set[str],
                  ontology_units: Mapping[str, str] | None) -> dict[str, str]:
    """Unit of every metric met: from the ontology, else inferred.

    metrics (Iterable[str]): every metric a claim is linked to.
    percent_seen (set[str]): the metrics with a level claim in percent.
    ontology_units (Mapping[str, str] | None): metric id -> unit.
    RETURNS (dict[str, str]): metric id -> ``percent`` or ``count``.
    """
    units: dict[str, str] = {}
    for metric in metrics:
        given = (ontology_units or {}).get(metric)
        if given is not None:
            units[metric] = "percent" if given == "percent" else "count"
        else:
            units[metric] = "percent" if metric in percent_seen else "count"
    return units


def _sorted_canonically(items: list[T], keys: Sequence[Any]) -> list[T]:
    """Sort ``items`` by ``keys`` (one per item, e.g. its ``sort_key()``);
    items with equal keys by their canonical JSON (the last tie-break,
    computed only where keys tie)."""
    order = sorted(range(len(items)), key=keys.__getitem__)
    out: list[T] = []
    i, n = 0, len(order)
    while i < n:
        k = keys[order[i]]
        j = i + 1
        while j < n and keys[order[j]] == k:
            j += 1
        if j - i > 1:
            run = [items[o] for o in order[i:j]]
            run.sort(key=lambda it: _canon(it.to_dict()))  # type: ignore[attr-defined]
            out.extend(run)
        else:
            out.append(items[order[i]])
        i = j
    return out


# --------------------------------------------------------------------------
# facts
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    """One distinct written value (value, precision) of a group."""

    value: float
    precision: float
    articles: tuple[str, ...]
    mentions: int


def _rep(cluster: Sequence[_Node]) -> _Node:
    """The most precise value of a cluster (tie: the smaller value)."""
    return min(cluster, key=lambda n: (n.precision, n.value))


def _node_agree(a: _Node, b: _Node) -> bool:
    return values_agree(a.value, a.precision, b.value, b.precision)


def _cluster_rank(cluster: Sequence[_Node]) -> tuple[int, int, float, float]:
    articles = {a for n in cluster for a in n.articles}
    rep = _rep(cluster)
    return (-len(articles), -sum(n.mentions for n in cluster), rep.value, rep.precision)


@dataclass(frozen=True)
class _FactClusters:
    fact: Fact
    #: (value, precision, articles) of each cluster, cluster 0 first
    clusters: tuple[tuple[float, float, tuple[str, ...]], ...]
    #: the level claims, by article and offsets (one article's are found by
    #: bisection in ``articles``, their article ids)
    levels: list[_Level]
    articles: list[str]

    def levels_of(self, article: str) -> list[_Level]:
        """The level claims of one article."""
        lo = bisect_left(self.articles, article)
        return self.levels[lo:bisect_right(self.articles, article, lo=lo)]


def _build_fact(metric: str, period: str, levels: Sequence[_Level], presorted: bool = False) -> _FactClusters:
    # by article and offsets (one claim of an article at one place has one
    # language, so the order of FactClaim.sort_key); each node's articles
    # then come out sorted, and duplicates are adjacent
    ordered = list(levels) if presorted else sorted(levels, key=_LEVEL_ORDER)
    by_node: dict[tuple[float, float], list[str]] = {}
    for lv in ordered:
        by_node.setdefault((lv.value, lv.precision), []).append(lv.article)
    nodes = [
        _Node(v, p, tuple(dict.fromkeys(arts)), len(arts))
        for (v, p), arts in sorted(by_node.items())
    ]
    clusters = _partition(nodes, _node_agree, _cluster_rank)
    values: list[FactValue] = []
    summaries: list[tuple[float, float, tuple[str, ...]]] = []
    for k, cluster in enumerate(clusters):
        rep = _rep(cluster)
        # a node's articles are sorted and distinct already (by `ordered`)
        articles = cluster[0].articles if len(cluster) == 1 else tuple(sorted({a for n in cluster for a in n.articles}))
        summaries.append((rep.value, rep.precision, articles))
        for n in cluster:
            values.append(FactValue(n.value, n.precision, n.articles, n.mentions, k))
    values.sort(key=lambda fv: (fv.cluster, fv.value, fv.precision))
    if len(clusters) > 1:
        status = "conflict"
    elif ordered[0].article != ordered[-1].article:
        status = "confirmed"
    else:
        status = "single"
    claims = tuple(map(_MAKE_FACT_CLAIM, map(_AS_FACT_CLAIM, ordered)))
    value, precision, articles = summaries[0]
    fact = Fact(metric, period, value, precision, status, articles, claims, tuple(values))
    return _FactClusters(fact, tuple(summaries), ordered, list(map(_ARTICLE, ordered)))


# --------------------------------------------------------------------------
# derived values
# --------------------------------------------------------------------------


def _readings(change_unit: str, metric_unit: str) -> tuple[str, ...]:
    """Readings a change allows.

    change_unit (str): unit the change was written in.
    metric_unit (str): ``percent`` or ``count``.
    RETURNS (tuple[str, ...]): the readings, in ``READING_ORDER``.
    """
    if change_unit == "pp":
        return ("pp",)
    if change_unit == "percent":
        return ("pp", "relative") if metric_unit == "percent" else ("relative",)
    # a change written as a plain number: a difference in the metric's unit
    return ("pp",) if metric_unit == "percent" else ("absolute",)


def _derive(
    reading: str, v: float, pv: float, c: float, pc: float, s: int
) -> tuple[float, float] | None:
    """The value a change implies at its baseline, and its tolerance.

    reading (str): ``pp``, ``absolute`` or ``relative``.
    v (float): level value at the change's period.
    pv (float): its precision.
    c (float): the change as written.
    pc (float): its precision.
    s (int): +1 for up, -1 for down.
    RETURNS (tuple[float, float] | None): (value, tolerance), or None when the
        reading is impossible (a fall of 100% or more).
    """
    if reading in ("pp", "absolute"):
        return v - s * c, pv / 2 + pc / 2
    factor = 1 + s * c / 100
    if factor <= 0:
        return None
    value = v / factor
    tolerance = (pv / 2) / factor + abs(v) * (pc / 2 / 100) / factor**2
    return value, tolerance


def _own_level(change: _Row, levels: Sequence[_Level]) -> _Level | None:
    """The level claim of the change's own article to derive from: one in
    the same sentence first, then the most precise, then the nearest."""
    if not levels:
        return None

    def key(lv: _Level) -> tuple[Any, ...]:
        return (
            (lv.sent_start, lv.sent_end) != (change.sent_start, change.sent_end),
            lv.precision,
            abs(lv.start - change.start),
            lv.start,
            lv.value,
        )

    return min(levels, key=key)


# --------------------------------------------------------------------------
# repeats
# --------------------------------------------------------------------------


def _repeats(facts: Sequence[Fact]) -> list[Repeat]:
    by_metric: dict[str, list[Fact]] = {}
    for f in facts:
        by_metric.setdefault(f.metric, []).append(f)
    out: list[Repeat] = []
    for metric, group in by_metric.items():
        if len(group) < 2:
            continue
        group = sorted(group, key=lambda f: (f.value, f.precision, f.period))

        def agree(a: Fact, b: Fact) -> bool:
            return values_agree(a.value, a.precision, b.value, b.precision)

        def rank(cluster: Sequence[Fact]) -> tuple[int, float, float]:
            rep = min(cluster, key=lambda f: (f.precision, f.value))
            return (-len(cluster), rep.value, rep.precision)

        for cluster in _partition(group, agree, rank):
            if len(cluster) < 2:
                continue
            rep = min(cluster, key=lambda f: (f.precision, f.value))
            out.append(
                Repeat(
                    metric=metric,
                    value=rep.value,
                    periods=tuple(sorted(f.period for f in cluster)),
                    articles=tuple(sorted({a for f in cluster for a in f.articles})),
                )
            )
    out.sort(key=Repeat.sort_key)
    return out


# --------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------


def cross_validate(
    results: Iterable[ArticleResult | Mapping[str, Any]],
    *,
    ontology_units: Mapping[str, str] | None = None,
) -> CrossValReport:
    """Cross-validate the claims of several articles.

    results (Iterable[ArticleResult | Mapping[str, Any]]): extraction
        results, as objects or as the JSON records of ``formats.md``; error
        records are skipped.
    ontology_units (Mapping[str, str] | None): metric id -> ``percent`` or
        ``count``; default: the units of the packaged ontology. A metric
        missing here is a percent metric when any level claim linked to it
        is written in percent, else a count metric.
    RETURNS (CrossValReport): the report; its ``to_dict()`` does not depend
        on the order of ``results``.
    """
    rows: list[_Row] = []
    n_articles = skipped = 0
    for item in results:
        res = _to_result(item)
        if res.error is not None:
            skipped += 1
            continue
        n_articles += 1
        rows.extend(_row_of(res.id, res.lang, c) for c in res.claims if c.metric is not None)
    return cross_validate_rows(rows, articles=n_articles, skipped=skipped, ontology_units=ontology_units)


@_without_gc
def cross_validate_rows(
    rows: Sequence[_Row],
    *,
    articles: int,
    skipped: int,
    ontology_units: Mapping[str, str] | None = None,
    presorted: bool = False,
) -> CrossValReport:
    """:func:`cross_validate` on claims already flattened (what the fact
    store's SQL returns): every claim linked to a metric, one row each.

    rows (Sequence[_Row]): the claims; their order does not change the
        report.
    articles (int): articles read without error.
    skipped (int): error records.
    presorted (bool): the rows are already in the order of
        ``(article, start, end, value, precision)`` (the store's SQL sorts
        them so): the claims of each fact are then not sorted again. Rows out
        of that order with ``presorted=True`` give a report whose claims are
        out of order.
    RETURNS (CrossValReport): the report.
    """
    if ontology_units is None:
        from .ontology.kb import load_ontology

        ontology_units = load_ontology().units()
    # levels per (metric, period), all articles, and per article; the
    # metrics met, and those with a level written in percent
    levels: dict[tuple[str, str], list[_Level]] = {}
    changes: list[_Row] = []
    metrics: dict[str, None] = {}
    percent_seen: set[str] = set()
    isfinite = math.isfinite
    num = _memo_num()
    for c in rows:
        metrics[c.metric] = None
        if c.kind == "level" and c.unit == "percent":
            percent_seen.add(c.metric)
        if c.period is None or not isfinite(c.value):
            continue
        if c.kind == "level":
            levels.setdefault((c.metric, c.period), []).append(c)
        elif c.kind == "change":
            changes.append(c)
    units = _metric_units(metrics, percent_seen, ontology_units)
    built = {key: _build_fact(key[0], key[1], lvs, presorted) for key, lvs in levels.items()}
    facts = [built[key].fact for key in sorted(built)]

    # changes in the order of the records they make (metric, baseline,
    # claim): the records then come out sorted, and sorting them is one pass
    changes = sorted(
        (ch for ch in changes
         if ch.baseline is not None and ch.baseline != ch.period and ch.direction in ("up", "down")),
        key=_CHANGE_ORDER,
    )
    derived: list[Derived] = []
    checks: list[Check] = []
    verdicts: list[ReadingVerdict] = []
    for ch in changes:
        article = ch.article
        metric, period, baseline = ch.metric, ch.period, ch.baseline
        assert metric is not None and period is not None
        here = built.get((metric, period))
        mine = _own_level(ch, here.levels_of(article)) if here is not None else None
        level_from: ClaimRef | None
        if mine is not None:
            v, pv = mine.value, mine.precision
            level_from = ClaimRef(article, mine.start, mine.end)
            level_source = "article"
        elif here is not None:
            fact = here.fact
            v, pv = fact.value, fact.precision
            level_from, level_source = None, "fact"
        else:
            continue
        c, pc = ch.value, ch.precision
        s = 1 if ch.direction == "up" else -1
        src = ClaimRef(article, ch.start, ch.end)
        reported = built.get((metric, baseline))
        if reported is not None:
            fact_status = reported.fact.status
            clusters = [(rv, rp, by[:REPORTED_BY_MAX], len(by)) for rv, rp, by in reported.clusters]
        agrees: list[str] = []
        disagrees: list[str] = []
        unchecked: list[str] = []
        for reading in _readings(ch.unit, units.get(metric, "count")):
            got = _derive(reading, v, pv, c, pc, s)
            if got is None:
                continue
            value, tolerance = got
            d_value = num(value)
            derived.append(
                Derived(metric, baseline, d_value, num(tolerance), reading, src, level_from, level_source,
                        c, ch.unit, ch.direction, period, v, pv)
            )
            if reported is None:
                unchecked.append(reading)
                continue
            fits = False
            for k, (rv, rp, by, n_by) in enumerate(clusters):
                tol = tolerance + rp / 2
                ok = abs(value - rv) <= tol + EPSILON
                fits = fits or ok
                checks.append(
                    Check(metric, baseline, reading, d_value, rv, num(value - rv), num(tol),
                          "agrees" if ok else "disagrees", src, by, fact_status, k, n_by)
                )
            (agrees if fits else disagrees).append(reading)
        if agrees or disagrees or unchecked:
            verdicts.append(
                ReadingVerdict(
                    src, metric, baseline, tuple(agrees), tuple(disagrees), tuple(unchecked)
                )
            )

    derived = _sorted_canonically(derived, [d.sort_key() for d in derived])
    checks = _sorted_canonically(checks, [ck.sort_key() for ck in checks])
    verdicts = _sorted_canonically(verdicts, [r.sort_key() for r in verdicts])
    repeats = _repeats(facts)

    n_agree = sum(1 for ck in checks if ck.status == "agrees")
    summary = Summary(
        articles=articles,
        skipped=skipped,
        facts=len(facts),
        confirmed=sum(1 for f in facts if f.status == "confirmed"),
        single=sum(1 for f in facts if f.status == "single"),
        conflict=sum(1 for f in facts if f.status == "conflict"),
        derived=len(derived),
        checks=len(checks),
        agrees=n_agree,
        disagrees=len(checks) - n_agree,
        repeats=len(repeats),
        conflicts=tuple((f.metric, f.period) for f in facts if f.status == "conflict"),
    )
    return CrossValReport(
        facts=tuple(facts),
        derived=tuple(derived),
        checks=tuple(checks),
        readings=tuple(verdicts),
        repeats=tuple(repeats),
        summary=summary,
    )
