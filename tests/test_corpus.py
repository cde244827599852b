"""The gold corpus: corpus/build_gold.py --check on the repository's corpus,
and the checker itself on a small corpus with known faults."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "corpus" / "build_gold.py"


def load_script():
    spec = importlib.util.spec_from_file_location("build_gold", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_repository_gold_is_valid_and_up_to_date():
    if not (ROOT / "corpus" / "gold.jsonl").is_file():
        pytest.skip("corpus/gold.jsonl does not exist yet (build it: python corpus/build_gold.py)")
    r = run("--check")
    assert r.returncode == 0, f"corpus/build_gold.py --check found problems:\n{r.stderr}"


TEXT = "In 2024, 37 banks renamed their centers, 44% of all."
GOOD_FACT = {"metric": "remote_banking.renamed_share", "period": "2024", "kind": "level", "value": 44.0,
             "unit": "percent", "surface": "44%", "start": 41, "end": 44}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A corpus with one seed article (s1) and two gold files, raw files for all."""
    (tmp_path / "raw").mkdir()
    (tmp_path / "gold").mkdir()
    for rid in ("s1", "a1", "b1"):
        (tmp_path / "raw" / f"{rid}.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "seeds.jsonl").write_text(json.dumps({"id": "s1", "lang": "en", "text": TEXT,
                                                      "facts": [GOOD_FACT]}) + "\n", encoding="utf-8")
    for rid in ("b1", "a1"):
        (tmp_path / "gold" / f"{rid}.jsonl").write_text(
            json.dumps({"id": rid, "lang": "en", "text": TEXT, "facts": [GOOD_FACT]}, ensure_ascii=False) + "\n",
            encoding="utf-8")
    return tmp_path


def build(corpus: Path, *extra: str) -> subprocess.CompletedProcess:
    return run("--corpus", str(corpus), "--seeds", str(corpus / "seeds.jsonl"), *extra)


def test_build_writes_sorted_and_check_passes(corpus):
    assert build(corpus, "--check").returncode == 1            # not built yet
    r = build(corpus)
    assert r.returncode == 0, r.stderr
    lines = (corpus / "gold.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["a1", "b1", "s1"]
    assert build(corpus, "--check").returncode == 0
    # a source changed after the build: out of date
    (corpus / "gold" / "a1.jsonl").write_text(json.dumps({"id": "a1", "lang": "en", "text": TEXT,
                                                          "facts": []}) + "\n", encoding="utf-8")
    r = build(corpus, "--check")
    assert r.returncode == 1 and "out of date" in r.stderr


def test_every_problem_is_listed(corpus):
    bad = [
        dict(GOOD_FACT, surface="45%"),                                    # surface != text[start:end]
        dict(GOOD_FACT, metric="service.no_such_metric"),                  # not in ontology nor metrics.md
        dict(GOOD_FACT, kind="trend"),                                     # illegal kind
        dict(GOOD_FACT, unit="percentage"),                                # illegal unit
        dict(GOOD_FACT, kind="change", direction="sideways", baseline="2023"),  # illegal direction
        dict(GOOD_FACT, direction="up"),                                   # a level with a direction
    ]
    (corpus / "gold" / "a1.jsonl").write_text(
        json.dumps({"id": "a1", "lang": "en", "text": TEXT, "facts": bad}) + "\n"
        + json.dumps({"id": "b1", "lang": "en", "text": TEXT, "facts": []}) + "\n"
        + "{not json\n", encoding="utf-8")
    (corpus / "gold" / "b1.jsonl").write_text(
        json.dumps({"id": "x9", "lang": "en", "text": TEXT + " ", "facts": []}) + "\n"
        + json.dumps({"id": "a1", "lang": "en", "text": TEXT, "facts": []}) + "\n",   # a1 twice
        encoding="utf-8")
    (corpus / "raw" / "c1.txt").write_text(TEXT, encoding="utf-8")         # raw without gold
    (corpus / "raw" / "x9.txt").write_text(TEXT, encoding="utf-8")         # gold text has a space more
    r = build(corpus)
    assert r.returncode == 1
    err = r.stderr
    for needle in ("fact 0: surface '45%' != text[41:44] '44%'",
                   "fact 1: metric 'service.no_such_metric' is not in the packaged ontology",
                   "fact 1: metric 'service.no_such_metric' is not listed in metrics.md",
                   "fact 2: kind 'trend'",
                   "fact 3: unit 'percentage'",
                   "fact 4: a change needs direction up or down",
                   "fact 5: a level has no direction",
                   "b1.jsonl:2: id 'a1' appears twice (first at ",
                   "a1.jsonl:3: not JSON",
                   "b1.jsonl:1: text differs from",
                   "c1.txt: no gold line"):
        assert needle in err, f"{needle!r} not in:\n{err}"
    # 7 in the facts (fact 1 twice), 1 not JSON, 1 duplicate id, 1 text, 1 raw without gold
    assert "build_gold: 11 problem(s); nothing written" in err
    assert not (corpus / "gold.jsonl").exists()


def test_raw_text_bom_dropped(corpus):
    (corpus / "raw" / "a1.txt").write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))
    r = build(corpus)
    assert r.returncode == 0, r.stderr


def test_metrics_md_ids_match_the_table():
    mod = load_script()
    if not mod.METRICS_MD.is_file():
        pytest.skip(f"{mod.METRICS_MD} not present")
    ids = mod.metrics_md_ids(mod.METRICS_MD)
    assert "service.call_answer_rate" in ids and "elderly.manual_priority_share" in ids
    assert len(ids) == 26


#: the off-topic articles of the corpus (corpus/README.md): economic news
#: full of numbers, none of them a figure of the ontology
OFF_TOPIC = ["en_03", "de_03", "es_03", "ja_03"]


@pytest.mark.parametrize("aid", OFF_TOPIC)
def test_off_topic_articles_link_nothing(extractor, aid):
    path = Path(__file__).resolve().parents[1] / "corpus" / "raw" / f"{aid}.txt"
    res = extractor.extract(path.read_text(encoding="utf-8"), aid)
    assert res.error is None and len(res.claims) >= 10  # numbers are found ...
    assert [(c.text, c.metric) for c in res.claims if c.metric is not None] == []  # ... none linked
