"""``cbafacts report``: the self-contained HTML report.

Unit tests render hand-made records (escaping, determinism, no external
resources, size and time for 1,000 articles). The browser tests render the
report of corpus/raw plus an injected malicious article, open it in headless
Chromium (Debian's ``/usr/bin/chromium`` driven by Playwright; skipped, with
the reason, where either is missing) and check the DOM.

The conflicts asserted are those cross-validation finds in corpus/raw
(checked against ``cbafacts crossval`` output, not assumed):
``remote_banking.renamed_share`` 2024 (pt_03 writes 46 against 44),
``service.customer_satisfaction`` 2024 (ko_03 writes 99.64 against 99.46) and
``service.call_answer_rate`` 2024 (a conflict, but from ko_03's 90; ms_03's
misreported 95.18 is read by the extractor and linked to no metric, so it
does not reach the matrix).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import time
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from cbafacts import report
from cbafacts.crossval import cross_validate

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "build" / "test-artifacts"
#: Debian's chromium; CBAFACTS_CHROMIUM points elsewhere (a missing path: the browser tests skip)
CHROMIUM = Path(os.environ.get("CBAFACTS_CHROMIUM", "/usr/bin/chromium"))
EN_SEED = "000_76fd66fdbd55d08e"
ID_SEED = "004_1394d275d59fc066"

PAYLOAD = (
    '<script>window.__pwned=1</script> '
    '"><img src=x onerror="window.__pwned=2"> '
    '<a href="javascript:window.__pwned=3">x</a>'
)
EVIL_ID = 'evil"><img src=x onerror="window.__pwned=4">'
EVIL_TEXT = f"In 2024, the average answer rate was 94.18%. {PAYLOAD} The end."

#: the only elements the page itself writes
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "nav", "a", "main",
    "section", "div", "span", "p", "b", "code", "table", "thead", "tbody", "tr", "th", "td", "ul", "li",
    "details", "summary", "mark", "br", "figure", "figcaption", "svg", "line", "text", "polyline",
    "circle",
}


def claim(text: str, sub: str, value: float, metric: str | None, period: str | None = "2024", *,
          unit: str = "percent", kind: str = "level", nth: int = 0, **kw) -> dict:
    """A claim record for the ``nth`` occurrence of ``sub`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    d = {"text": sub, "start": start, "end": start + len(sub), "sentence": [0, len(text)], "value": value,
         "unit": unit, "kind": kind, "direction": None, "baseline": None, "metric": metric, "period": period,
         "confidence": 0.9, "qualifier": None, "precision": 0.01 if "." in sub else 1.0}
    d.update(kw)
    return d


def record(rid: str, text: str, claims: list[dict], lang: str = "en", backend: str = "spacy") -> dict:
    return {"id": rid, "source": f"{rid}.txt", "lang": lang, "lang_confidence": 1.0, "backend": backend,
            "published": None, "text": text, "claims": claims, "error": None}


def small_records() -> list[dict]:
    en = "In 2024, 37 banks renamed their centers, 44% of all, a 4% increase on 2023. Answer rate 94.18%."
    zh = "2024年，人工电话接通率为94.18%，客户满意度为99.46%。"
    ar = "بلغ معدل الرد 94.18% في عام 2024."
    evil = EVIL_TEXT
    return [
        record("en_a", en, [
            claim(en, "37", 37, "remote_banking.renamed_centers", unit="count"),
            claim(en, "44%", 44, "remote_banking.renamed_share"),
            claim(en, "4%", 4, "remote_banking.renamed_share", nth=1, kind="change", direction="up", baseline="2023"),
            claim(en, "94.18%", 94.18, "service.call_answer_rate"),
        ]),
        record("zh_a", zh, [
            claim(zh, "94.18%", 94.18, "service.call_answer_rate"),
            claim(zh, "99.46%", 99.46, "service.customer_satisfaction"),
            claim(zh, "2024", 2024, None, unit="count"),
        ], lang="zh"),
        record("ar_a", ar, [claim(ar, "94.18%", 94.18, "service.call_answer_rate")], lang="ar"),
        record("pt_a", "Em 2024, 46% dos centros.", [claim("Em 2024, 46% dos centros.", "46%", 46,
                                                          "remote_banking.renamed_share")], lang="pt"),
        record(EVIL_ID, evil, [claim(evil, "94.18%", 94.18, "service.call_answer_rate")], lang='en"><b>x'),
        {"id": "empty<b>", "source": "empty.txt", "lang": None, "claims": [],
         "error": {"type": "empty", "message": "article 'empty<b>' has <no> text"}},
    ]


class TagCollector(HTMLParser):
    """Start tags and their attributes, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags_of(page: str) -> list[tuple[str, dict[str, str | None]]]:
    p = TagCollector()
    p.feed(page)
    p.close()
    return p.tags


# --------------------------------------------------------------------------
# unit tests
# --------------------------------------------------------------------------


def test_untrusted_text_renders_as_text():
    page = report.render_report(small_records())
    # the escaped forms are there ...
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;" in page
    assert "&lt;a href=&quot;javascript:window.__pwned=3&quot;&gt;x&lt;/a&gt;" in page
    assert "article &#x27;empty&lt;b&gt;&#x27; has &lt;no&gt; text" in page
    # ... and no raw tag from any article, id, language or message
    for raw in ("<script", "<img", 'href="javascript', "<no>", "<b>x", "empty<b>"):
        assert raw not in page, raw
    tags = tags_of(page)
    assert {t for t, _ in tags} <= ALLOWED_TAGS
    for tag, attrs in tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "a":
            assert (attrs.get("href") or "").startswith("#"), attrs
    # the malicious id is carried, escaped, in attributes that hold it
    evil = [a for t, a in tags if t == "details" and a.get("data-article") == EVIL_ID]
    assert len(evil) == 1 and re.fullmatch(r"art-[A-Za-z0-9_-]+", evil[0]["id"])
    assert [a["lang"] for t, a in tags if t == "div" and a.get("class") == "article-text"
            and a.get("lang") == "und"], "a malformed language becomes lang=und"


def test_highlights_carry_claim_data():
    page = report.render_report(small_records())
    marks = [a for t, a in tags_of(page) if t == "mark" and "data-claim" in a]
    values = {(a["data-metric"], a["data-value"]) for a in marks}
    assert ("remote_banking.renamed_share", "44") in values
    assert ("service.call_answer_rate", "94.18") in values
    unlinked = [a for a in marks if "unlinked" in a["class"]]
    assert [a["data-value"] for a in unlinked] == ["2024"] and unlinked[0]["data-metric"] == ""
    tip = next(a["title"] for a in marks if a["data-value"] == "4")
    for word in ("4%", "unit: percent", "kind: change", "direction: up", "period: 2024",
                 "baseline: 2023", "confidence: 0.900", "backend: spacy", "metric: remote_banking.renamed_share"):
        assert word in tip, word


def test_rtl_and_cjk_articles():
    page = report.render_report(small_records())
    tags = tags_of(page)
    texts = {a.get("lang"): a for t, a in tags if t == "div" and a.get("class") == "article-text"}
    assert texts["ar"]["dir"] == "auto" and texts["zh"]["dir"] == "auto" and texts["en"]["dir"] == "auto"
    i = page.index('data-article="ar_a"')
    assert "direction: rtl" in page[i:i + 1500]
    i = page.index('data-article="zh_a"')
    assert "direction: ltr" in page[i:i + 1500]
    assert "年，人工电话接通率为" in page  # UTF-8 as is, not entity-encoded
    assert '<meta charset="utf-8">' in page


def test_matrix_cells_and_conflicts():
    page = report.render_report(small_records())
    cells = {(a["data-metric"], a["data-period"]): a for t, a in tags_of(page)
             if t == "td" and "data-status" in a}
    assert cells[("service.call_answer_rate", "2024")]["data-status"] == "confirmed"
    assert cells[("service.call_answer_rate", "2024")]["data-value"] == "94.18"
    assert cells[("remote_banking.renamed_share", "2024")]["data-status"] == "conflict"
    assert cells[("service.customer_satisfaction", "2024")]["data-status"] == "single"
    i = page.index('data-metric="remote_banking.renamed_share" data-period="2024" data-status="conflict"')
    cell = page[i:page.index("</td>", i)]
    assert 'data-value="46"' in cell and ">pt_a</a> (pt)" in cell and ">en_a</a> (en)" in cell


def test_checks_in_words():
    page = report.render_report(small_records())
    items = [a for t, a in tags_of(page) if t == "li" and a.get("class") == "check"]
    assert {(a["data-reading"], a["data-status"], a["data-value"]) for a in items} == {
        ("pp", "unchecked", "40"), ("relative", "unchecked", "42.307692")}
    assert "implied by 2024's +4% (pp reading, from 44%)" in page


def test_deterministic_and_independent_of_crossval_source(tmp_path):
    recs = small_records()
    a = report.render_report(recs)
    b = report.render_report([json.loads(json.dumps(r)) for r in recs])
    c = report.render_report(recs, cross_validate(recs).to_dict())
    assert a == b == c
    assert "generated" not in a
    assert "generated 2025-01-01" in report.render_report(recs, generated="2025-01-01")


def test_self_contained():
    page = report.render_report(small_records())
    for tag, attrs in tags_of(page):
        for name in ("src", "href", "xlink:href", "action", "poster", "srcset"):
            v = (attrs.get(name) or "").strip().lower()
            assert not v.startswith(("http:", "https:", "//", "javascript:", "data:text")), (tag, name, v)
        assert tag not in ("link", "script", "img", "iframe", "object", "embed")
    assert not re.search(r"https?://|@import|url\(", page)
    csp = next(a["content"] for t, a in tags_of(page) if t == "meta" and a.get("http-equiv"))
    assert "default-src 'none'" in csp and "script-src" not in csp


def test_bad_offsets_and_overlaps():
    text = "Rates: 94.18% and 99.46% here."
    claims = [
        claim(text, "94.18%", 94.18, "service.call_answer_rate"),
        claim(text, "94.18", 94.18, "service.call_answer_rate"),       # inside the first: merged into it
        {**claim(text, "99.46%", 99.46, "service.customer_satisfaction"), "start": 3},  # offsets wrong
    ]
    page = report.render_report([record("a", text, claims)])
    marks = [a for t, a in tags_of(page) if t == "mark" and "data-claim" in a]
    assert len(marks) == 1 and "also here" in marks[0]["title"]
    assert "1 not placed" in page
    assert page.count("Rates: ") == 1  # the text is not duplicated


def test_cli_main_and_add_parser(tmp_path, capsys):
    recs = small_records()
    src = tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs) + "not json\n",
                   encoding="utf-8")
    cv = tmp_path / "cv.json"
    cv.write_text(json.dumps(cross_validate(recs).to_dict()), encoding="utf-8")
    assert report.main([str(src), "-o", str(tmp_path / "a.html")]) == 0
    assert report.main([str(src), "--crossval", str(cv), "-o", str(tmp_path / "b.html")]) == 0
    a, b = (tmp_path / "a.html").read_bytes(), (tmp_path / "b.html").read_bytes()
    assert a == b
    assert b'data-error-type="empty"' in a and b'data-error-type="unreadable"' in a
    assert "out.jsonl:7: skipped" in capsys.readouterr().err
    # registered on another program's subparsers, as cli.py does
    parser = argparse.ArgumentParser(prog="cbafacts")
    sub = parser.add_subparsers(dest="command", required=True)
    report.add_parser(sub)
    args = parser.parse_args(["report", str(src), "-o", str(tmp_path / "c.html")])
    assert args.func(args) == 0 and (tmp_path / "c.html").read_bytes() == a
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    assert report.main([str(src), "--crossval", str(bad), "-o", str(tmp_path / "d.html")]) == 2
    assert report.main([str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "e.html")]) == 2


def synthetic(n: int) -> list[dict]:
    """``n`` generated articles in several languages, with misreports."""
    langs = ["en", "zh", "ar", "ja", "id", "de"]
    out = []
    for i in range(n):
        rate = "94.18%" if i % 17 else "95.18%"
        share = "44%" if i % 23 else "46%"
        text = (f"Article {i}. In 2024 the answer rate was {rate}, up 1.3% on 2023; "
                f"{share} of centers were renamed; satisfaction 99.46%; 31% deployed models; "
                f"the index rose 0.8% that day. " + "Filler sentence about banking services. " * 30)
        claims = [
            claim(text, rate, float(rate[:-1]), "service.call_answer_rate"),
            claim(text, "1.3%", 1.3, "service.call_answer_rate", kind="change", direction="up", baseline="2023"),
            claim(text, share, float(share[:-1]), "remote_banking.renamed_share"),
            claim(text, "99.46%", 99.46, "service.customer_satisfaction"),
            claim(text, "31%", 31, "ai.large_model_deployed_share"),
            claim(text, "0.8%", 0.8, None, kind="change", direction="up"),
        ]
        out.append(record(f"gen_{i:04d}", text, claims, lang=langs[i % len(langs)]))
    return out


def test_thousand_articles():
    recs = synthetic(1000)
    started = time.perf_counter()
    page = report.render_report(recs)
    secs = time.perf_counter() - started
    assert secs < 60, f"{secs:.1f} s"
    assert len(page.encode()) < 15_000_000, len(page.encode())
    tags = tags_of(page)
    details = [a for t, a in tags if t == "details"]
    assert len(details) == 1000 and not any("open" in a for a in details)
    # matrix first, articles last
    assert page.index('id="matrix"') < page.index('id="articles"')
    cells = {(a["data-metric"], a["data-period"]): a["data-status"] for t, a in tags if t == "td" and "data-status" in a}
    assert cells[("service.call_answer_rate", "2024")] == "conflict"
    assert cells[("service.customer_satisfaction", "2024")] == "confirmed"
    # a conflict names at most MAX_NAMED articles per value
    i = page.index('data-metric="service.call_answer_rate" data-period="2024"')
    assert "and 931 more" in page[i:page.index("</td>", i)]


# --------------------------------------------------------------------------
# browser tests
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_report(tmp_path_factory, extractor, seeds_dir):
    """corpus/raw plus a malicious and an empty article: records, crossval, page."""
    from cbafacts.io import iter_articles

    tmp = tmp_path_factory.mktemp("report")
    extra = tmp / "extra.jsonl"
    extra.write_text(json.dumps({"id": EVIL_ID, "text": EVIL_TEXT, "lang": "en"}) + "\n"
                     + json.dumps({"id": "blank", "text": "   "}) + "\n", encoding="utf-8")
    results = list(extractor.extract_many(iter_articles([str(seeds_dir), str(extra)])))
    # sources relative to the checkout, as `cbafacts extract corpus/raw` writes them (for the screenshot)
    results = [replace(r, source=os.path.relpath(r.source, ROOT) if r.source else r.source) for r in results]
    out = tmp / "out.jsonl"
    out.write_text("".join(json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in results), encoding="utf-8")
    html_path = tmp / "report.html"
    assert report.main([str(out), "-o", str(html_path)]) == 0
    return {"results": results, "cv": cross_validate(results).to_dict(), "html": html_path}


@pytest.fixture(scope="module")
def browser_page(request):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (.ci/install-browser)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    corpus_report = request.getfixturevalue("corpus_report")  # extracting takes a while: after the skips
    args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=args)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        url = corpus_report["html"].as_uri()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        blocked: list[str] = []

        def block(route):
            blocked.append(route.request.url)
            route.abort()

        page.route(lambda u: u != url, block)
        page.goto(url)
        page.wait_for_load_state("load")
        yield {"page": page, "url": url, "requests": requests, "blocked": blocked, **corpus_report}
        browser.close()


def test_browser_conflict_cells(browser_page):
    page, cv = browser_page["page"], browser_page["cv"]
    dom = page.eval_on_selector_all(
        'td[data-status="conflict"]',
        "els => els.map(e => [e.dataset.metric, e.dataset.period])")
    assert sorted(map(tuple, dom)) == sorted((c["metric"], c["period"]) for c in cv["summary"]["conflicts"])

    def cell(metric, period):
        return page.locator(f'td[data-metric="{metric}"][data-period="{period}"]')

    share = cell("remote_banking.renamed_share", "2024")
    assert share.get_attribute("data-status") == "conflict"
    assert share.get_attribute("data-value") == "44"
    odd = share.locator('li[data-value="46"]')
    assert odd.get_attribute("data-articles") == "pt_03" and "pt_03 (pt)" in odd.inner_text()
    sat = cell("service.customer_satisfaction", "2024")
    assert sat.get_attribute("data-status") == "conflict" and sat.get_attribute("data-value") == "99.46"
    odd = sat.locator('li[data-value="99.64"]')
    assert odd.get_attribute("data-articles") == "ko_03" and "ko_03 (ko)" in odd.inner_text()
    rate = cell("service.call_answer_rate", "2024")
    assert rate.get_attribute("data-status") == "conflict" and rate.get_attribute("data-value") == "94.18"
    assert EN_SEED in rate.locator("li.agreed").get_attribute("data-articles").split()
    # the confirmed 2023 share, and the pp reading agreeing with the Indonesian seed
    assert cell("remote_banking.renamed_share", "2023").get_attribute("data-status") == "confirmed"
    check = page.locator('li.check[data-metric="remote_banking.renamed_share"][data-period="2023"]'
                         '[data-reading="pp"][data-status="agrees"]').first
    assert f"{ID_SEED} (id)" in check.inner_text()


def test_browser_seed_highlights(browser_page):
    page = browser_page["page"]
    art = page.locator(f'details[data-article="{EN_SEED}"]')
    assert art.get_attribute("open") is None  # collapsed until opened
    art.locator("summary").click()
    marks = art.locator("mark.claim")
    assert marks.first.is_visible()
    values = marks.evaluate_all("els => els.map(e => [e.dataset.value, e.dataset.metric, e.textContent])")
    got = {(v, m) for v, m, _ in values}
    for want in [("44", "remote_banking.renamed_share"), ("37", "remote_banking.renamed_centers"),
                 ("94.18", "service.call_answer_rate"), ("99.46", "service.customer_satisfaction"),
                 ("4", "remote_banking.renamed_share"), ("31", "ai.large_model_deployed_share")]:
        assert want in got, want
    assert ("94.18", "service.call_answer_rate", "94.18%") in {tuple(v) for v in values}
    seed = next(r for r in browser_page["results"] if r.id == EN_SEED)
    assert marks.count() == len(seed.claims)
    assert "increase compared to 2023" in art.locator(".article-text").inner_text()
    tip = marks.nth(0).get_attribute("title")
    assert "period: 2024" in tip and "backend: spacy" in tip
    assert art.locator(".article-text").get_attribute("lang") == "en"
    # every claim of every article is marked, on its exact text
    marked = page.eval_on_selector_all(
        "details.article", "els => els.map(e => [e.dataset.article, "
        "Array.from(e.querySelectorAll('mark.claim'), m => [Number(m.dataset.claim), m.textContent])])")
    claims = {r.id: r.claims for r in browser_page["results"] if r.error is None}
    assert len(marked) == len(claims)
    for aid, marks_ in marked:
        assert sorted(i for i, _ in marks_) == list(range(len(claims[aid]))), aid
        assert all(claims[aid][i].text == t for i, t in marks_), aid


def test_browser_no_script_and_no_request(browser_page):
    page = browser_page["page"]
    assert page.evaluate("typeof window.__pwned") == "undefined"
    evil = page.locator("details.article").filter(has=page.locator(".aid", has_text="evil"))
    assert evil.count() == 1
    evil.locator("summary").click()
    body = evil.locator(".article-text")
    assert "<script>window.__pwned=1</script>" in body.inner_text()
    assert 'onerror="window.__pwned=2"' in body.inner_text()
    assert body.locator("script, img, a, iframe").count() == 0
    assert page.locator("script, img, iframe, object, embed, link").count() == 0
    assert page.locator('a[href^="javascript:"]').count() == 0
    # the error record is listed with its type
    assert page.locator('li[data-error-type="empty"][data-article="blank"]').count() == 1
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert browser_page["url"] in browser_page["requests"]  # the listener sees requests
    assert [u for u in browser_page["requests"] if u != browser_page["url"]] == []
    assert browser_page["blocked"] == []


def test_browser_screenshot(browser_page):
    page = browser_page["page"]
    art = page.locator(f'details[data-article="{EN_SEED}"]')
    if art.get_attribute("open") is None:
        art.locator("summary").click()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    shutil.copyfile(browser_page["html"], ARTIFACTS / "report.html")
