"""The metric ontology: ids, units, valid ranges and multilingual aliases.

Stored as data (``cbafacts/ontology/metrics.yaml``) and indexed into two maps,
as scispacy's ``KnowledgeBase`` does: ``id -> Metric`` and
``(lang, normalized alias) -> id``. Loading validates the file; a bad file
gives a coded error naming the file and the entry.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..data import PACKAGE_DIR, load_yaml
from ..errors import Errors

#: runs of whitespace (compiled once: these are called per figure)
_WS = re.compile(r"\s+")

UNITS = ("percent", "count")
DEFAULT_PATH = PACKAGE_DIR / "ontology" / "metrics.yaml"


#: apostrophes news typesets for "'" ("taux d’appels", "dell’anno")
APOSTROPHES = "\u2019\u2018\u02bc\u00b4`"
_APOSTROPHE_MAP = str.maketrans({ch: "'" for ch in APOSTROPHES})


@lru_cache(maxsize=8192)
def normalize_alias(alias: str) -> str:
    """Lower-case, collapse whitespace and straighten apostrophes: the key
    aliases are compared by. Turkish "İ" lower-cases to "i" plus a combining
    dot; the dot is dropped so that "İnteraktif" finds "interaktif"."""
    return _WS.sub(" ", alias.strip().lower().replace("i\u0307", "i").translate(_APOSTROPHE_MAP))


@dataclass(frozen=True)
class Metric:
    """One metric of the ontology.

    id (str): the fixed id ("service.call_answer_rate").
    unit (str): "percent" or "count": how a level is written.
    range (tuple[float, float]): valid range of a level value.
    counts (str | None): for count metrics, what is counted ("years", "banks").
    parent (str | None): a metric of the same concept in another unit; the
        child is linked through the parent's aliases.
    aliases (dict[str, tuple[str, ...]]): per-language alias phrases.
    context_aliases (dict[str, tuple[str, ...]]): per-language generic words
        that name the metric only in a sentence that also names the surveyed
        population ("41 700 сотрудников" in "в центрах обслуживания клиентов
        ... работали 41 700 сотрудников"; not "the bank cut 500 employees").
    """

    id: str
    unit: str
    range: tuple[float, float]
    description: str = ""
    counts: str | None = None
    parent: str | None = None
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    context_aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def in_range(self, value: float) -> bool:
        return self.range[0] <= value <= self.range[1]


class MetricKB:
    """Metrics indexed by id and by (language, alias)."""

    def __init__(self, metrics: Iterable[Metric], *, source: str = "<memory>",
                 population: Mapping[str, Iterable[str]] | None = None) -> None:
        self.source = source
        self.metrics: dict[str, Metric] = {}
        self.alias_to_id: dict[tuple[str, str], str] = {}
        self.context_to_id: dict[tuple[str, str], str] = {}
        #: per language, phrases naming the surveyed population ("customer
        #: service centers", "客服中心"): never aliases; they let context
        #: aliases speak
        self.population: dict[str, tuple[str, ...]] = {
            str(k): tuple(str(p) for p in v or ()) for k, v in (population or {}).items()}
        self.children: dict[str, list[str]] = {}
        for m in metrics:
            if m.id in self.metrics:
                raise ValueError(Errors.E201.format(source=source, id=m.id))
            self.metrics[m.id] = m
        for m in self.metrics.values():
            if m.parent is not None:
                if m.parent not in self.metrics:
                    raise ValueError(Errors.E204.format(source=source, id=m.id, parent=m.parent))
                self.children.setdefault(m.parent, []).append(m.id)
            for lang, aliases in m.aliases.items():
                for alias in aliases:
                    key = (lang, normalize_alias(alias))
                    other = self.alias_to_id.get(key)
                    if other is not None and other != m.id:
                        raise ValueError(
                            Errors.E203.format(source=source, alias=alias, lang=lang, a=other, b=m.id)
                        )
                    self.alias_to_id[key] = m.id
        for m in self.metrics.values():
            for lang, aliases in m.context_aliases.items():
                for alias in aliases:
                    key = (lang, normalize_alias(alias))
                    for kind, table in (("an alias", self.alias_to_id), ("a context alias", self.context_to_id)):
                        other = table.get(key)
                        if other is not None and (other != m.id or kind == "an alias"):
                            raise ValueError(Errors.E208.format(source=source, alias=alias, lang=lang, a=other,
                                                                b=m.id, kind=kind))
                    self.context_to_id[key] = m.id

    def __contains__(self, metric_id: object) -> bool:
        return metric_id in self.metrics

    def __getitem__(self, metric_id: str) -> Metric:
        return self.metrics[metric_id]

    def __iter__(self):
        return iter(self.metrics.values())

    def __len__(self) -> int:
        return len(self.metrics)

    def languages(self) -> list[str]:
        return sorted({lang for lang, _ in self.alias_to_id})

    def aliases(self, lang: str) -> dict[str, str]:
        """normalized alias -> metric id, for one language."""
        return {a: mid for (lg, a), mid in self.alias_to_id.items() if lg == lang}

    def context_aliases(self, lang: str) -> dict[str, str]:
        """normalized context alias -> metric id, for one language."""
        return {a: mid for (lg, a), mid in self.context_to_id.items() if lg == lang}

    def family(self, metric_id: str) -> list[Metric]:
        """The metric, its children and its parent: one concept in every unit
        it is written in."""
        m = self.metrics[metric_id]
        ids = [metric_id, *self.children.get(metric_id, ())]
        if m.parent is not None:
            ids.append(m.parent)
            ids.extend(c for c in self.children.get(m.parent, ()) if c not in ids)
        return [self.metrics[i] for i in ids]

    def units(self) -> dict[str, str]:
        return {m.id: m.unit for m in self.metrics.values()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "population": {k: list(v) for k, v in self.population.items()},
            "metrics": [
                {
                    "id": m.id,
                    "unit": m.unit,
                    "range": list(m.range),
                    "counts": m.counts,
                    "parent": m.parent,
                    "description": m.description,
                    "aliases": {k: list(v) for k, v in m.aliases.items()},
                    "context_aliases": {k: list(v) for k, v in m.context_aliases.items()},
                }
                for m in self.metrics.values()
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "<dict>") -> "MetricKB":
        """Build from the parsed YAML/JSON document (``{"metrics": [...]}``)."""
        metrics = []
        for i, entry in enumerate(data.get("metrics") or ()):
            for key in ("id", "unit"):
                if not entry.get(key):
                    raise ValueError(Errors.E206.format(source=source, index=i, field=key))
            unit = entry["unit"]
            if unit not in UNITS:
                raise ValueError(Errors.E202.format(source=source, id=entry["id"], unit=unit, allowed=list(UNITS)))
            rng = entry.get("range") or ([0, 100] if unit == "percent" else [0, float("inf")])
            try:
                lo, hi = float(rng[0]), float(rng[1])
            except (TypeError, ValueError, IndexError):
                raise ValueError(Errors.E205.format(source=source, id=entry["id"], range=rng)) from None
            if lo > hi:
                raise ValueError(Errors.E205.format(source=source, id=entry["id"], range=rng))
            if unit == "percent" and (lo < 0 or hi > 100):
                raise ValueError(Errors.E207.format(source=source, id=entry["id"], range=rng))
            aliases, context = ({
                str(lang): tuple(str(a) for a in (lst or ()))
                for lang, lst in (entry.get(key) or {}).items()
            } for key in ("aliases", "context_aliases"))
            metrics.append(
                Metric(
                    id=str(entry["id"]),
                    unit=unit,
                    range=(lo, hi),
                    description=str(entry.get("description") or ""),
                    counts=entry.get("counts"),
                    parent=entry.get("parent"),
                    aliases=aliases,
                    context_aliases=context,
                )
            )
        return cls(metrics, source=source, population=data.get("population") or {})

    @classmethod
    def from_path(cls, path: str | Path) -> "MetricKB":
        return cls.from_dict(load_yaml(path), source=str(path))


@lru_cache(maxsize=8)
def load_ontology(path: str | None = None) -> MetricKB:
    """The packaged ontology (or the one at ``path``), loaded once."""
    return MetricKB.from_path(path or DEFAULT_PATH)
