"""The HTML report: ``cbafacts report OUT.jsonl [--crossval REPORT.json] -o report.html``.

One self-contained, deterministic HTML page built from ``cbafacts extract``
output and the cross-validation report (``formats.md``):

- an overview: articles by language and backend, claims, linked share, errors;
- the facts matrix (metrics x periods), each cell with its status;
- the derived-value checks, in words;
- a small inline-SVG chart per metric (values over periods, by language);
- every article, collapsed in a ``<details>`` element, with its claims
  highlighted in place by spaCy's displaCy entity renderer (character
  offsets, so CJK text and exact offsets survive; the token-based ``span``
  renderer would re-join tokens with spaces).

Article text, ids, languages and messages are untrusted: every one of them
goes through :func:`html.escape` (or displaCy's ``escape_html`` for the
highlighted text), and the page carries a Content-Security-Policy that
allows no script, no fetch and no external resource at all. Nothing in the
page depends on the clock; the same input gives byte-identical HTML.
"""
from __future__ import annotations

import argparse
import html
import json
import math
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, TextIO

from .model import ArticleResult, Claim

__all__ = ["render_report", "read_records", "add_parser", "cmd_report", "main"]

#: languages written right to left (ISO 639-1/-3 codes)
RTL_LANGS = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku", "ps", "sd", "syr", "ug", "ur", "yi"})
#: at most this many articles are named per value / per check line
MAX_NAMED = 10
#: colours of languages in charts (by sorted language), then golden-angle hues
LANG_PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79", "#637939",
)
UNLINKED = "unlinked"
UNLINKED_COLOR = "#eeeeee"
#: the page may not load or run anything: inline CSS only
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
#: displaCy ``ent`` template for one claim; every ``params`` value is
#: escaped here, ``text`` by displaCy, ``bg`` comes from our own colours
TPL_CLAIM = (
    '<mark class="claim{cls}" style="background: {bg}" data-claim="{index}" data-metric="{metric}"'
    ' data-value="{value}" data-unit="{unit}" data-kind="{kind}" data-period="{period}"'
    ' title="{tip}">{text}</mark>'
)
READING_WORDS = {"pp": "pp reading", "relative": "relative reading", "absolute": "absolute reading"}


# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------


def esc(value: Any) -> str:
    """Text or attribute value, escaped for HTML (quotes included).

    value (Any): anything; None gives "".
    RETURNS (str): the escaped text.
    """
    return "" if value is None else html.escape(str(value), quote=True)


def num_attr(v: float | None) -> str:
    """A number for a data attribute: ``44``, ``94.18``, ``723000000``.

    v (float | None): the number.
    RETURNS (str): its shortest exact text ("" for None).
    """
    if v is None:
        return ""
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    if v == int(v) and abs(v) < 1e18:
        return str(int(v))
    return repr(round(v, 6))


def fmt(v: float | None, precision: float | None = None) -> str:
    """A number for people: thousands grouped, decimals as written.

    v (float | None): the number.
    precision (float | None): one unit of the last written digit; None:
        five significant digits (at most four decimals).
    RETURNS (str): e.g. ``723,000,000``, ``94.18``, ``42.308``.
    """
    if v is None:
        return "–"
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    if precision is not None and 0 < precision < 1:
        decimals = min(6, max(0, round(-math.log10(precision))))
        return f"{v:,.{decimals}f}"
    if abs(v - round(v)) < 1e-9:
        return f"{int(round(v)):,}"
    decimals = min(4, max(0, 4 - math.floor(math.log10(abs(v))))) if v else 0
    return f"{v:,.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{v:,.0f}"


def short(v: float) -> str:
    """A number for an axis label: ``723M``, ``41.7k``, ``99.46``."""
    a = abs(v)
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e4, "k")):
        if a >= size:
            return f"{v / size:.3g}{suffix}"
    return f"{v:.4g}"


def with_unit(text: str, unit: str | None) -> str:
    return text + "%" if unit == "percent" else text + " pp" if unit == "pp" else text


def metric_colors(metrics: Sequence[str]) -> dict[str, str]:
    """One distinct pastel colour per metric (golden-angle hues, sorted ids).

    metrics (Sequence[str]): the metric ids.
    RETURNS (dict[str, str]): metric id -> CSS colour.
    """
    out = {}
    for i, m in enumerate(sorted(set(metrics))):
        hue = (i * 137.508) % 360
        out[m] = f"hsl({hue:.1f}, 75%, 82%)"
    return out


def lang_colors(langs: Sequence[str]) -> dict[str, str]:
    out = {}
    for i, lang in enumerate(sorted(set(langs))):
        out[lang] = LANG_PALETTE[i] if i < len(LANG_PALETTE) else f"hsl({(i * 137.508) % 360:.1f}, 60%, 40%)"
    return out


def direction_of(text: str, lang: str | None) -> str:
    """``rtl`` or ``ltr``: the language when known to be RTL, else the first
    strong character (what ``dir="auto"`` does).

    text (str): the article text.
    lang (str | None): its language code.
    RETURNS (str): ``rtl`` or ``ltr``.
    """
    if lang and lang.split("-")[0].lower() in RTL_LANGS:
        return "rtl"
    for ch in text[:5000]:
        bidi = unicodedata.bidirectional(ch)
        if bidi in ("R", "AL"):
            return "rtl"
        if bidi == "L":
            return "ltr"
    return "ltr"


_LANG_TAG = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


def lang_tag(lang: str | None) -> str:
    """A value for the ``lang`` attribute: the code when well-formed, else ``und``."""
    return lang if lang and _LANG_TAG.match(lang) else "und"


def _css() -> str:
    return resources.files("cbafacts").joinpath("report_assets/report.css").read_text(encoding="utf-8")


# --------------------------------------------------------------------------
# input
# --------------------------------------------------------------------------


@dataclass
class Records:
    """The extract records read, and how many input lines were unusable."""

    results: list[ArticleResult] = field(default_factory=list)
    bad_lines: list[str] = field(default_factory=list)


def _input_files(paths: Sequence[str]) -> list[str]:
    out: list[str] = []
    for path in paths:
        p = Path(path)
        if path != "-" and p.is_dir():
            parts = sorted(p.glob("part-*.jsonl")) or sorted(p.rglob("*.jsonl"))
            out.extend(str(x) for x in parts)
        else:
            out.append(path)
    return out


def read_records(paths: Sequence[str], stderr: TextIO | None = None) -> Records:
    """Read ``cbafacts extract`` output (files, ``-``, or directories of parts).

    paths (Sequence[str]): the inputs.
    stderr (TextIO | None): where to note unreadable lines (default stderr).
    RETURNS (Records): the records, in input order, and the bad lines.
    """
    err = sys.stderr if stderr is None else stderr
    recs = Records()
    for path in _input_files(paths):
        fh = sys.stdin if path == "-" else open(path, encoding="utf-8")
        try:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    recs.results.append(ArticleResult.from_dict(json.loads(line)))
                except (ValueError, KeyError, TypeError, AttributeError) as exc:
                    where = f"{path}:{lineno}"
                    recs.bad_lines.append(where)
                    print(f"cbafacts report: {where}: skipped, not an extract record ({exc})", file=err)
        finally:
            if fh is not sys.stdin:
                fh.close()
    return recs


def _as_result(item: ArticleResult | Mapping[str, Any]) -> ArticleResult:
    return item if isinstance(item, ArticleResult) else ArticleResult.from_dict(item)


# --------------------------------------------------------------------------
# the page
# --------------------------------------------------------------------------


class _Page:
    """Everything the sections share: records, crossval dict, colours, ids."""

    def __init__(self, results: Sequence[ArticleResult], cv: Mapping[str, Any], bad_lines: Sequence[str]):
        self.results = list(results)
        self.ok = [r for r in self.results if r.error is None]
        self.errors = [r for r in self.results if r.error is not None]
        self.cv = cv
        self.bad_lines = list(bad_lines)
        self.lang_of: dict[str, str | None] = {}
        for r in self.ok:
            self.lang_of.setdefault(r.id, r.lang)
        for f in cv.get("facts", []):
            for c in f.get("claims", []):
                self.lang_of.setdefault(c["id"], c.get("lang"))
        metrics = {c.metric for r in self.ok for c in r.claims if c.metric}
        metrics |= {f["metric"] for f in cv.get("facts", [])}
        self.colors = metric_colors(sorted(metrics))
        # unit of each metric: how its level claims are written
        units: dict[str, Counter] = {}
        for r in self.ok:
            for c in r.claims:
                if c.metric and c.kind == "level":
                    units.setdefault(c.metric, Counter())[c.unit] += 1
        self.unit = {m: max(sorted(cnt), key=lambda u: cnt[u]) for m, cnt in units.items()}
        # element ids of articles: art-<slug>, unique, in input order
        self.anchor: dict[str, str] = {}
        used: set[str] = set()
        for r in self.ok:
            if r.id in self.anchor:
                continue
            base = "art-" + (re.sub(r"[^A-Za-z0-9_-]", "_", r.id)[:80] or "_")
            aid, k = base, 1
            while aid in used:
                k += 1
                aid = f"{base}-{k}"
            used.add(aid)
            self.anchor[r.id] = aid

    # ---- shared bits

    def article_ref(self, aid: str) -> str:
        """An article id as a link to its section (when shown), with its language."""
        lang = self.lang_of.get(aid)
        name = esc(aid)
        if aid in self.anchor:
            name = f'<a href="#{self.anchor[aid]}" data-article-ref="{esc(aid)}">{name}</a>'
        return f"{name} ({esc(lang or 'und')})" if lang is not None or aid in self.lang_of else name

    def article_list(self, ids: Sequence[str], total: int | None = None) -> str:
        ids = list(ids)
        shown = ", ".join(self.article_ref(a) for a in ids[:MAX_NAMED])
        more = (total if total is not None else len(ids)) - min(len(ids), MAX_NAMED)
        return shown + (f" and {more} more" if more > 0 else "")

    def value_text(self, metric: str, v: float | None, precision: float | None = None) -> str:
        return with_unit(fmt(v, precision), self.unit.get(metric))

    # ---- sections

    def head(self, title: str) -> str:
        return (
            "<!DOCTYPE html>\n"
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="generator" content="cbafacts report">\n'
            f"<title>{esc(title)}</title>\n<style>\n{_css()}</style>\n</head>\n"
        )

    def header(self, title: str, generated: str | None) -> str:
        gen = f' <span class="muted">generated {esc(generated)}</span>' if generated else ""
        return (
            f'<header><h1>{esc(title)}</h1><div class="muted">cbafacts cross-validation report{gen}</div>'
            '<nav><a href="#overview">Overview</a><a href="#matrix">Facts</a><a href="#checks">Derived values</a>'
            '<a href="#charts">Charts</a><a href="#articles">Articles</a></nav></header>\n'
        )

    def overview(self) -> str:
        claims = [c for r in self.ok for c in r.claims]
        linked = sum(1 for c in claims if c.metric)
        share = f"{100 * linked / len(claims):.1f}%" if claims else "–"
        summ = self.cv.get("summary", {})
        facts = summ.get("facts", {})
        checks = summ.get("checks", {})
        cards = [
            ("articles", len(self.ok), "n-articles"),
            ("errors", len(self.errors), "n-errors"),
            ("claims found", len(claims), "n-claims"),
            ("linked to a metric", share, "linked-share"),
            ("facts", facts.get("total", 0), "n-facts"),
            ("confirmed", facts.get("confirmed", 0), "n-confirmed"),
            ("single", facts.get("single", 0), "n-single"),
            ("conflict", facts.get("conflict", 0), "n-conflict"),
            ("checks agree / disagree", f"{checks.get('agrees', 0)} / {checks.get('disagrees', 0)}", "n-checks"),
        ]
        out = ['<section id="overview"><h2>Overview</h2><div class="cards">']
        for label, n, key in cards:
            out.append(f'<div class="card" data-stat="{key}"><span class="n">{esc(n)}</span><span class="l">{esc(label)}</span></div>')
        out.append("</div>")
        # by language
        by_lang: dict[str, dict[str, Any]] = {}
        for r in self.ok:
            row = by_lang.setdefault(r.lang or "und", {"articles": 0, "backends": Counter(), "claims": 0, "linked": 0})
            row["articles"] += 1
            row["backends"][r.backend or "–"] += 1
            row["claims"] += len(r.claims)
            row["linked"] += sum(1 for c in r.claims if c.metric)
        out.append('<div class="tables"><table class="plain" id="by-language"><thead><tr><th>language</th>'
                   '<th class="num">articles</th><th>backend</th><th class="num">claims</th>'
                   '<th class="num">linked</th><th class="num">linked share</th></tr></thead><tbody>')
        for lang in sorted(by_lang):
            row = by_lang[lang]
            backends = ", ".join(f"{esc(b)}" + (f" ({n})" if len(row["backends"]) > 1 else "")
                                 for b, n in sorted(row["backends"].items()))
            ls = f"{100 * row['linked'] / row['claims']:.0f}%" if row["claims"] else "–"
            out.append(f'<tr data-lang="{esc(lang)}"><td>{esc(lang)}</td><td class="num">{row["articles"]}</td>'
                       f'<td>{backends}</td><td class="num">{row["claims"]}</td><td class="num">{row["linked"]}</td>'
                       f'<td class="num">{ls}</td></tr>')
        out.append("</tbody></table>")
        by_backend = Counter(r.backend or "–" for r in self.ok)
        out.append('<table class="plain" id="by-backend"><thead><tr><th>backend</th><th class="num">articles</th>'
                   "</tr></thead><tbody>")
        for b in sorted(by_backend):
            out.append(f'<tr data-backend="{esc(b)}"><td>{esc(b)}</td><td class="num">{by_backend[b]}</td></tr>')
        out.append("</tbody></table></div>")
        # errors
        out.append('<h3 id="errors">Errors</h3>')
        if self.errors or self.bad_lines:
            out.append('<ul class="errors">')
            for r in self.errors:
                assert r.error is not None
                src = f' <span class="muted">{esc(r.source)}</span>' if r.source else ""
                out.append(f'<li data-error-type="{esc(r.error.type)}" data-article="{esc(r.id)}">'
                           f'<span class="mono">{esc(r.id)}</span>: <span class="etype">{esc(r.error.type)}</span>'
                           f" – {esc(r.error.message)}{src}</li>")
            for where in self.bad_lines:
                out.append(f'<li data-error-type="unreadable"><span class="mono">{esc(where)}</span>: '
                           '<span class="etype">unreadable</span> – not an extract record</li>')
            out.append("</ul>")
        else:
            out.append('<p class="muted">No errors.</p>')
        out.append("</section>\n")
        return "".join(out)

    def matrix(self) -> str:
        facts = self.cv.get("facts", [])
        metrics = sorted({f["metric"] for f in facts})
        periods = sorted({str(f["period"]) for f in facts})
        by_key = {(f["metric"], str(f["period"])): f for f in facts}
        out = ['<section id="matrix"><h2>Facts</h2><p class="muted">Level claims grouped by metric and period. '
               "<b>confirmed</b>: two or more articles agree at the precision written; <b>single</b>: one article; "
               "<b>conflict</b>: reported values disagree (every value listed with its articles).</p>"
               '<div class="matrix-wrap"><table class="matrix"><thead><tr><th>metric</th>']
        for p in periods:
            out.append(f'<th data-period="{esc(p)}">{esc(p)}</th>')
        out.append("</tr></thead><tbody>")
        for m in metrics:
            out.append(f'<tr data-metric="{esc(m)}"><th class="metric" scope="row">'
                       f'<span class="swatch" style="background: {self.colors.get(m, UNLINKED_COLOR)}"></span>'
                       f"<code>{esc(m)}</code></th>")
            for p in periods:
                f = by_key.get((m, p))
                out.append(self.cell(m, p, f))
            out.append("</tr>")
        out.append("</tbody></table></div>")
        repeats = self.cv.get("repeats", [])
        if repeats:
            out.append('<h3>Repeated values</h3><ul class="repeats">')
            for r in repeats:
                out.append(f'<li data-metric="{esc(r["metric"])}"><code>{esc(r["metric"])}</code> = '
                           f'{esc(self.value_text(r["metric"], r["value"]))} reported for '
                           f'{esc(", ".join(map(str, r["periods"])))}: {esc(r.get("note", ""))}</li>')
            out.append("</ul>")
        out.append("</section>\n")
        return "".join(out)

    def cell(self, metric: str, period: str, f: Mapping[str, Any] | None) -> str:
        if f is None:
            return (f'<td class="cell st-none" data-metric="{esc(metric)}" data-period="{esc(period)}" '
                    'data-status="none"></td>')
        status = str(f["status"])
        # clusters: values, precision, articles, languages
        node_cluster = {(float(v["value"]), float(v["precision"])): int(v["cluster"]) for v in f["values"]}
        clusters: dict[int, dict[str, Any]] = {}
        for v in f["values"]:
            cl = clusters.setdefault(int(v["cluster"]), {"values": [], "articles": set(), "langs": set()})
            cl["values"].append(v)
            cl["articles"].update(v["articles"])
        for c in f.get("claims", []):
            k = node_cluster.get((float(c["value"]), float(c["precision"])))
            if k is not None:
                clusters[k]["langs"].add(c.get("lang") or "und")
        value = self.value_text(metric, f["value"], f.get("precision"))
        cls = f"st-{status}" if status in ("confirmed", "single", "conflict") else "st-other"
        out = [f'<td class="cell {cls}" data-metric="{esc(metric)}" data-period="{esc(period)}" '
               f'data-status="{esc(status)}" data-value="{num_attr(f["value"])}">']
        if status == "conflict":
            reps = []
            for k in sorted(clusters):
                rep = min(clusters[k]["values"], key=lambda v: (v["precision"], v["value"]))
                reps.append(esc(self.value_text(metric, rep["value"], rep["precision"])))
            out.append('<div class="val">' + ' <span class="vs">vs</span> '.join(reps) + "</div>")
        else:
            out.append(f'<div class="val">{esc(value)}</div>')
        out.append(f'<span class="badge {cls}">{esc(status)}</span>')
        main = clusters.get(0, {"langs": set(), "articles": set()})
        n_art = len(main["articles"])
        langs = sorted(main["langs"])
        out.append(f'<div class="langs" data-langs="{esc(" ".join(langs))}">{esc(" · ".join(langs))} '
                   f'<span class="n">({n_art} article{"s" if n_art != 1 else ""})</span></div>')
        if status == "conflict":
            out.append('<ul class="values">')
            for k in sorted(clusters):
                cl = clusters[k]
                written = sorted(cl["values"], key=lambda v: (v["precision"], v["value"]))
                shown = " / ".join(esc(self.value_text(metric, v["value"], v["precision"])) for v in written)
                arts = sorted(cl["articles"])
                cls_li = ' class="agreed"' if k == 0 else ""
                out.append(f'<li{cls_li} data-cluster="{k}" data-value="{num_attr(written[0]["value"])}" '
                           f'data-articles="{esc(" ".join(arts))}">{shown}: {self.article_list(arts)}</li>')
            out.append("</ul>")
        out.append("</td>")
        return "".join(out)

    def checks(self) -> str:
        derived = self.cv.get("derived", [])

        def key_of(d: Mapping[str, Any]) -> tuple:
            return (d["metric"], str(d["period"]), d["from"]["id"], d["from"]["start"], d["from"]["end"], d["reading"])

        by_derived: dict[tuple, list[Mapping[str, Any]]] = {}
        for c in self.cv.get("checks", []):
            by_derived.setdefault(key_of(c), []).append(c)
        # one line per derived value and reading; the change claims that
        # imply the same value the same way are named together
        groups: dict[tuple, dict[str, Any]] = {}
        for d in derived:
            g = (d["metric"], str(d["period"]), d["reading"], d["value"], d.get("change_period"), d.get("change"),
                 d.get("change_unit"), d.get("direction"), d.get("level"))
            grp = groups.setdefault(g, {"derived": d, "sources": [], "checks": {}})
            grp["sources"].append(d["from"]["id"])
            for c in by_derived.get(key_of(d), []):
                grp["checks"].setdefault(int(c["cluster"]), c)
        out = ['<section id="checks"><h2>Derived values</h2><p class="muted">A change ("44%, up 4% on 2023") '
               "implies a value at its baseline year; a change written with % on a percent metric is read both as "
               "percentage points (pp) and as relative, and each reading is held against what articles report for "
               "that year (every value reported, when they conflict).</p>"]
        readings = self.cv.get("readings", [])
        if readings:
            fit = Counter(" + ".join(r["agrees"]) if r["agrees"] else ("none" if r["disagrees"] else "unchecked")
                          for r in readings)
            parts = ", ".join(f"{esc(k)}: {n}" for k, n in sorted(fit.items()))
            out.append(f'<p id="readings">Readings that fit, over {len(readings)} change claims: {parts}.</p>')
        if not groups:
            out.append('<p class="muted">No derived values.</p></section>\n')
            return "".join(out)
        out.append('<ul class="checks">')
        for g, grp in groups.items():
            metric, period, reading, value = g[0], g[1], g[2], g[3]
            d, checks = grp["derived"], grp["checks"]
            sign = "+" if d.get("direction") == "up" else "−" if d.get("direction") == "down" else ""
            change = with_unit(fmt(d.get("change")), d.get("change_unit"))
            text = (f'<b>{esc(period)}</b> <code>{esc(metric)}</code> <b>{esc(self.value_text(metric, value))}</b> '
                    f"implied by {esc(d.get('change_period', '?'))}'s {esc(sign + change)} "
                    f"({esc(READING_WORDS.get(reading, reading))}, from {esc(self.value_text(metric, d.get('level')))}"
                    "): ")
            if not checks:
                status = "unchecked"
                text += f'<span class="verdict">unchecked</span>, nothing reported for {esc(period)}'
            else:
                status = "agrees" if any(c["status"] == "agrees" for c in checks.values()) else "disagrees"
                verdicts = []
                for k in sorted(checks):
                    c = checks[k]
                    conflicting = " (a conflicting value)" if k > 0 else ""
                    by = self.article_list(c["reported_by"], c.get("reported_by_count", len(c["reported_by"])))
                    verdicts.append(f'<span class="verdict-item" data-status="{esc(c["status"])}" data-cluster="{k}">'
                                    f'<span class="verdict">{esc(c["status"])}</span> with '
                                    f'{esc(self.value_text(metric, c["reported"]))}{conflicting} reported by {by}</span>')
                text += "; ".join(verdicts)
            srcs = sorted(set(grp["sources"]))
            text += f'. <span class="muted">Change written in {self.article_list(srcs)}.</span>'
            out.append(f'<li class="check" data-status="{status}" data-metric="{esc(metric)}" '
                       f'data-period="{esc(period)}" data-reading="{esc(reading)}" data-value="{num_attr(value)}">'
                       f"{text}</li>")
        out.append("</ul></section>\n")
        return "".join(out)

    def charts(self) -> str:
        facts = self.cv.get("facts", [])
        by_metric: dict[str, list[Mapping[str, Any]]] = {}
        for f in facts:
            by_metric.setdefault(f["metric"], []).append(f)
        all_langs = sorted({c.get("lang") or "und" for f in facts for c in f.get("claims", [])})
        colors = lang_colors(all_langs)
        out = ['<section id="charts"><h2>Values by period and language</h2><div class="charts">']
        for m in sorted(by_metric):
            out.append(self.chart(m, by_metric[m], colors))
        out.append("</div></section>\n")
        return "".join(out)

    def chart(self, metric: str, facts: Sequence[Mapping[str, Any]], colors: Mapping[str, str]) -> str:
        W, H, L, R, T, B = 330, 170, 56, 12, 12, 30
        periods = sorted({str(f["period"]) for f in facts})
        status = {str(f["period"]): f["status"] for f in facts}
        # (lang, period) -> Counter(value -> articles)
        pts: dict[tuple[str, str], Counter] = {}
        for f in facts:
            for c in f.get("claims", []):
                pts.setdefault((c.get("lang") or "und", str(f["period"])), Counter())[float(c["value"])] += 1
        values = [v for cnt in pts.values() for v in cnt]
        lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
        if hi - lo < 1e-12:
            pad = max(1.0, abs(hi) * 0.05)
        else:
            pad = (hi - lo) * 0.08
        lo, hi = lo - pad, hi + pad

        def x(i: int) -> float:
            return L + (W - L - R) / 2 if len(periods) == 1 else L + i * (W - L - R) / (len(periods) - 1)

        def y(v: float) -> float:
            return T + (H - T - B) * (1 - (v - lo) / (hi - lo))

        langs = sorted({lang for lang, _ in pts})
        jitter = {lang: (k - (len(langs) - 1) / 2) * 3.0 for k, lang in enumerate(langs)}
        if len(periods) > 1:
            jitter = {lang: j * min(1.0, 60 / max(1, 3 * len(langs))) for lang, j in jitter.items()}
        parts = [f'<svg width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
                 f'role="img" aria-label="{esc(metric)} by period and language">']
        d_lo, d_hi = lo + pad, hi - pad
        ticks = [d_lo, (d_lo + d_hi) / 2, d_hi] if d_hi - d_lo > 1e-12 else [d_lo]
        for v in ticks:
            yy = y(v)
            parts.append(f'<line x1="{L}" y1="{yy:.1f}" x2="{W - R}" y2="{yy:.1f}" stroke="#e3e6ea"/>'
                         f'<text x="{L - 6}" y="{yy + 4:.1f}" font-size="10" text-anchor="end" fill="#5d6675">'
                         f"{esc(short(v))}</text>")
        for i, p in enumerate(periods):
            fill = "#a4161a" if status.get(p) == "conflict" else "#5d6675"
            parts.append(f'<text x="{x(i):.1f}" y="{H - 10}" font-size="11" text-anchor="middle" fill="{fill}" '
                         f'data-period="{esc(p)}">{esc(p)}</text>')
        for lang in langs:
            col = colors.get(lang, "#333")
            line = []
            for i, p in enumerate(periods):
                cnt = pts.get((lang, p))
                if not cnt:
                    continue
                top = max(sorted(cnt), key=lambda v: cnt[v])
                line.append(f"{x(i) + jitter[lang]:.1f},{y(top):.1f}")
            if len(line) > 1:
                parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{col}" stroke-width="1.5" '
                             'stroke-opacity="0.7"/>')
            for i, p in enumerate(periods):
                for v, n in sorted((pts.get((lang, p)) or {}).items()):
                    parts.append(f'<circle cx="{x(i) + jitter[lang]:.1f}" cy="{y(v):.1f}" r="3.5" fill="{col}" '
                                 f'data-lang="{esc(lang)}" data-period="{esc(p)}" data-value="{num_attr(v)}">'
                                 f"<title>{esc(lang)} {esc(p)}: {esc(self.value_text(metric, v))} "
                                 f"({n} claim{'s' if n != 1 else ''})</title></circle>")
        parts.append("</svg>")
        legend = "".join(f'<span><span class="swatch" style="background: {colors.get(lang, "#333")}"></span>'
                         f"{esc(lang)}</span>" for lang in langs)
        return (f'<figure class="chart" data-metric="{esc(metric)}"><figcaption><code>{esc(metric)}</code>'
                f'</figcaption>{"".join(parts)}<div class="chart-legend">{legend}</div></figure>')

    def articles(self) -> str:
        out = [f'<section id="articles"><h2>Articles ({len(self.ok)})</h2>'
               '<p class="muted">Click an article to open it. Claims are highlighted in place, coloured by metric; '
               "hover for value, unit, kind, direction, period, baseline, confidence and backend. "
               "Dashed grey: a claim linked to no metric.</p>"]
        used = sorted({c.metric for r in self.ok for c in r.claims if c.metric})
        legend = "".join(f'<span class="item"><span class="swatch" style="background: {self.colors[m]}"></span>'
                         f"<code>{esc(m)}</code></span>" for m in used)
        legend += f'<span class="item"><mark class="claim unlinked">12</mark> unlinked</span>'
        out.append(f'<div class="legend">{legend}</div>')
        for r in self.ok:
            out.append(self.article(r))
        out.append("</section>\n")
        return "".join(out)

    def article(self, r: ArticleResult) -> str:
        text = r.text or ""
        lang = r.lang or "und"
        n_linked = sum(1 for c in r.claims if c.metric)
        body, placed = self.highlight(r, text)
        unplaced = len(r.claims) - placed
        note = f", {unplaced} not placed (offsets do not match the text)" if unplaced else ""
        src = f' <span class="muted mono">{esc(r.source)}</span>' if r.source and r.source != r.id else ""
        return (f'<details class="article" id="{self.anchor[r.id]}" data-article="{esc(r.id)}" '
                f'data-lang="{esc(lang)}" data-backend="{esc(r.backend or "")}" data-claims="{len(r.claims)}" '
                f'data-linked="{n_linked}"><summary><span class="aid">{esc(r.id)}</span> · {esc(lang)} · '
                f"{esc(r.backend or '–')} · {len(r.claims)} claims ({n_linked} linked{esc(note)}){src}</summary>"
                f'<div class="article-text" lang="{esc(lang_tag(r.lang))}" dir="auto">{body}</div></details>\n')

    def highlight(self, r: ArticleResult, text: str) -> tuple[str, int]:
        """The article text with its claims marked, by displaCy's ent renderer.

        r (ArticleResult): the article.
        text (str): its text.
        RETURNS (tuple[str, int]): the markup and how many claims were placed.
        """
        from spacy import displacy

        order = sorted(range(len(r.claims)), key=lambda i: (r.claims[i].start, -r.claims[i].end, i))
        kept: list[tuple[int, list[int]]] = []  # (claim index, overlapping claim indices)
        last_end = -1
        placed = 0
        for i in order:
            c = r.claims[i]
            if not (0 <= c.start < c.end <= len(text)) or text[c.start:c.end] != c.text:
                continue
            placed += 1
            if kept and c.start < last_end:
                kept[-1][1].append(i)
                continue
            kept.append((i, []))
            last_end = c.end
        spans = []
        for i, also in kept:
            c = r.claims[i]
            tip = self.tooltip(c, r.backend)
            for j in also:
                tip += "\n\nalso here:\n" + self.tooltip(r.claims[j], r.backend)
            cls = (" unlinked" if c.metric is None else "") + f" kind-{re.sub(r'[^a-z]', '', str(c.kind))}"
            spans.append({
                "start": c.start, "end": c.end, "label": c.metric or UNLINKED,
                "params": {
                    "cls": cls, "index": i, "metric": esc(c.metric or ""), "value": num_attr(c.value),
                    "unit": esc(c.unit), "kind": esc(c.kind), "period": esc(c.period or ""), "tip": esc(tip),
                },
            })
        colors = dict(self.colors)
        colors[UNLINKED] = UNLINKED_COLOR
        doc = {"text": text, "ents": spans, "title": None,
               "settings": {"lang": lang_tag(r.lang), "direction": direction_of(text, r.lang)}}
        markup = displacy.render(doc, style="ent", manual=True, page=False, jupyter=False,
                                 options={"template": TPL_CLAIM, "colors": colors})
        return markup, placed

    @staticmethod
    def tooltip(c: Claim, backend: str | None) -> str:
        value = with_unit(fmt(c.value, c.precision if c.precision < 1 else None), c.unit)
        if c.value_max is not None:
            value += f" – {fmt(c.value_max)}"
        lines = [
            f"{c.text} → {value}",
            f"metric: {c.metric or 'unlinked'}",
            f"unit: {c.unit}",
            f"kind: {c.kind}",
            f"direction: {c.direction or '–'}",
            f"period: {c.period or '–'}",
            f"baseline: {c.baseline or '–'}",
            f"confidence: {c.confidence:.3f}",
            f"backend: {backend or '–'}",
        ]
        if c.qualifier:
            lines.append(f"qualifier: {c.qualifier}")
        return "\n".join(lines)


def render_report(
    results: Iterable[ArticleResult | Mapping[str, Any]],
    crossval: Mapping[str, Any] | None = None,
    *,
    title: str = "cbafacts report",
    generated: str | None = None,
    bad_lines: Sequence[str] = (),
) -> str:
    """Render the HTML report.

    results (Iterable[ArticleResult | Mapping[str, Any]]): extract records
        (objects or ``formats.md`` dicts), error records included.
    crossval (Mapping[str, Any] | None): the cross-validation report as a
        dict (``CrossValReport.to_dict()`` or its JSON); None: computed here
        with :func:`cbafacts.crossval.cross_validate`.
    title (str): page title.
    generated (str | None): a time stamp or note to print in the header;
        the page holds none unless given.
    bad_lines (Sequence[str]): ``FILE:LINE`` of input lines that were not
        records, listed with the errors.
    RETURNS (str): the page, one self-contained HTML document.
    """
    recs = [_as_result(r) for r in results]
    if crossval is None:
        from .crossval import cross_validate

        crossval = cross_validate(recs).to_dict()
    page = _Page(recs, crossval, bad_lines)
    body = [
        page.head(title),
        "<body>\n",
        page.header(title, generated),
        "<main>\n",
        page.overview(),
        page.matrix(),
        page.checks(),
        page.charts(),
        page.articles(),
        "</main>\n</body>\n</html>\n",
    ]
    return "".join(body)


# --------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------


def add_parser(subparsers: "argparse._SubParsersAction") -> argparse.ArgumentParser:
    """Register the ``report`` subcommand.

    subparsers (argparse._SubParsersAction): from ``add_subparsers()``.
    RETURNS (argparse.ArgumentParser): the subcommand's parser (``func`` set).
    """
    p = subparsers.add_parser(
        "report", help="write a self-contained HTML report of extracted claims and facts",
        description="One self-contained HTML page: overview, facts matrix, derived-value checks, "
                    "charts, and every article with its claims highlighted.",
    )
    p.add_argument("inputs", nargs="+", metavar="OUT.jsonl",
                   help="output of 'cbafacts extract' (- for stdin; a directory: its part-*.jsonl files)")
    p.add_argument("--crossval", metavar="REPORT.json",
                   help="the 'cbafacts crossval' report to show (default: computed from the inputs)")
    p.add_argument("-o", "--output", metavar="report.html", default="report.html",
                   help="where to write the page (default: report.html; - for stdout)")
    p.add_argument("--title", default="cbafacts report", help="page title")
    p.add_argument("--generated", metavar="TEXT",
                   help="a time stamp or note for the header (the page holds none unless given)")
    p.add_argument("--open", action="store_true", help="open the page in a web browser when written")
    p.set_defaults(func=cmd_report)
    return p


def cmd_report(args: argparse.Namespace) -> int:
    """Run ``cbafacts report``.

    args (argparse.Namespace): parsed by the parser of :func:`add_parser`.
    RETURNS (int): exit status (2: unreadable input).
    """
    try:
        recs = read_records(args.inputs)
        cv = None
        if args.crossval:
            cv = json.loads(Path(args.crossval).read_text(encoding="utf-8"))
            if not isinstance(cv, dict) or "facts" not in cv:
                raise ValueError(f"{args.crossval}: not a cbafacts crossval report")
    except (OSError, ValueError) as exc:
        print(f"cbafacts report: {exc}", file=sys.stderr)
        return 2
    page = render_report(recs.results, cv, title=args.title, generated=args.generated, bad_lines=recs.bad_lines)
    if args.output in (None, "-"):
        sys.stdout.write(page)
        return 0
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(page)
    print(f"cbafacts report: {len(recs.results)} records -> {out}", file=sys.stderr)
    if args.open:
        import webbrowser

        webbrowser.open(out.resolve().as_uri())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``cbafacts report`` on its own: ``main(["out.jsonl", "-o", "r.html"])``.

    argv (Sequence[str] | None): the report's arguments (without ``report``);
        None: ``sys.argv[1:]``.
    RETURNS (int): exit status.
    """
    parser = argparse.ArgumentParser(prog="cbafacts")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_parser(sub)
    args = parser.parse_args(["report", *(sys.argv[1:] if argv is None else argv)])
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
