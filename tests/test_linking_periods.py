"""Linking and period cases from review probes (each expectation read off
the sentence by hand)."""
from __future__ import annotations

import pytest


def claims(extractor, text, lang):
    res = extractor.extract(text, id="t", lang=lang)
    assert res.error is None
    return [(c.text, c.kind, c.direction, c.metric, c.period) for c in res.claims]


CASES = [
    # a year after "from" with no change in the sentence is the period
    ("en", "Data from the 2024 survey show that 59% of centers use data dashboards.",
     [("59%", "level", None, "data.dashboard_share", "2024")]),
    # "dan" before a figure starts its clause: 94,18% belongs to 2024
    ("id", "Tingkat penyelesaian panggilan 92,88% pada 2023 dan 94,18% pada 2024.",
     [("92,88%", "level", None, "service.call_answer_rate", "2023"),
      ("94,18%", "level", None, "service.call_answer_rate", "2024")]),
    # each figure takes its own year
    ("en", "The answer rate rose from 92.88% in 2023 to 94.18% in 2024.",
     [("92.88%", "level", None, "service.call_answer_rate", "2023"),
      ("94.18%", "level", None, "service.call_answer_rate", "2024")]),
    # a change word followed by a number belongs to that number
    ("en", "In 2024 the call answer rate hit 94.18% up 1.3 percentage points.",
     [("94.18%", "level", None, "service.call_answer_rate", "2024"),
      ("1.3 percentage points", "change", "up", "service.call_answer_rate", "2024")]),
    ("zh", "2024年接通率94.18%提升1.3个百分点。",
     [("94.18%", "level", None, "service.call_answer_rate", "2024"),
      ("1.3个百分点", "change", "up", "service.call_answer_rate", "2024")]),
    # a change right after a level, with no other metric named between, is its change
    ("zh", "2024年，人工电话平均接通率为94.18%，较上年提升1.3个百分点；人工电话客户满意度为99.46%。",
     [("94.18%", "level", None, "service.call_answer_rate", "2024"),
      ("1.3个百分点", "change", "up", "service.call_answer_rate", "2024"),
      ("99.46%", "level", None, "service.customer_satisfaction", "2024")]),
    # an alias in another clause that already has its own figure is not borrowed
    ("en", "In 2023, 86% offered WeChat, 85% online, and 65% SMS.",
     [("86%", "level", None, "channels.wechat_share", "2023"),
      ("85%", "level", None, "None", "2023"),
      ("65%", "level", None, "channels.sms_share", "2023")]),
    # but a count and a share of the same concept share the alias
    ("en", "By the end of 2024, 37 banks had renamed their centers remote banking centers, accounting for 44%.",
     [("37", "level", None, "remote_banking.renamed_centers", "2024"),
      ("44%", "level", None, "remote_banking.renamed_share", "2024")]),
    # a period ending a name is not an abbreviation: two sentences
    ("en", "The report (2024) was presented by Wang. 59% of centers use data dashboards.",
     [("59%", "level", None, "data.dashboard_share", "2024")]),
    # comparison words after the year make it the baseline
    ("ja", "2024年の人工電話の平均応答率は94.18%で、2023年比1.3ポイント上昇した。",
     [("94.18%", "level", None, "service.call_answer_rate", "2024"),
      ("1.3ポイント", "change", "up", "service.call_answer_rate", "2024")]),
    ("ko", "2024년 상담원 연결률은 94.18%로 2023년 대비 1.3%포인트 상승했다.",
     [("94.18%", "level", None, "service.call_answer_rate", "2024"),
      ("1.3%포인트", "change", "up", "service.call_answer_rate", "2024")]),
    # a hard-wrapped line goes on
    ("en", "In 2024 the average call\nanswer rate was 94.18%.",
     [("94.18%", "level", None, "service.call_answer_rate", "2024")]),
]


@pytest.mark.parametrize("lang,text,expected", CASES, ids=[f"{c[0]}:{c[1][:40]}" for c in CASES])
def test_linking_and_periods(extractor, lang, text, expected):
    got = [(t, k, d, str(m), p) for t, k, d, m, p in claims(extractor, text, lang)]
    assert got == expected


@pytest.mark.parametrize("lang,text", [
    ("id", "Hubungi call center 021-5551234 untuk informasi."),
    ("zh", "或拨打010-66596688。"),
    ("en", "Call 1-800-555-0199 now."),
])
def test_phone_numbers_are_not_claims(extractor, lang, text):
    assert claims(extractor, text, lang) == []


@pytest.mark.parametrize("lang,text", [
    ("ja", "2024年の人工電話の平均応答率は94.18%で、2023年比1.3ポイント上昇した。"),
    ("zh", "2024年，人工电话平均接通率为94.18%，与2023年相比提升1.3个百分点。"),
    ("tr", "2024 yılında çağrı cevaplama oranı %94,18 oldu ve 2023 yılına göre 1,3 puan arttı."),
])
def test_baseline_written_after_the_year(extractor, lang, text):
    res = extractor.extract(text, id="t", lang=lang)
    change = [c for c in res.claims if c.kind == "change"]
    assert [(c.value, c.period, c.baseline) for c in change] == [(1.3, "2024", "2023")]


def test_unknown_language_code_is_und(extractor):
    res = extractor.extract("It was 44% in 2024.", id="x", lang="English")
    assert res.lang == "und"
    assert [(c.text, c.value) for c in res.claims] == [("44%", 44.0)]


# --------------------------------------------------------------------------
# a share continuing the count of the sentence before
# --------------------------------------------------------------------------


def test_share_continues_count_of_previous_sentence(extractor):
    text = ("As of December 2024, 37 banks had renamed their customer service centers to remote "
            "banking centers. That is 44% of the centers surveyed.")
    res = extractor.extract(text, lang="en")
    by_value = {c.value: c for c in res.claims}
    assert by_value[37.0].metric == "remote_banking.renamed_centers"
    assert by_value[44.0].metric == "remote_banking.renamed_share"
    assert by_value[44.0].period == "2024"
    assert 0 < by_value[44.0].confidence < by_value[37.0].confidence


def test_percentage_after_a_percentage_is_not_continued(extractor):
    # the sentence before ends on a percent figure, not a count: no share
    text = ("In 2024, the average answer rate was 94.18%. Inflation stood at 2.1% in March.")
    res = extractor.extract(text, lang="en")
    by_value = {c.value: c for c in res.claims}
    assert by_value[94.18].metric == "service.call_answer_rate"
    assert by_value[2.1].metric is None


def test_share_not_continued_across_a_sentence_gap(extractor):
    # a sentence without figures in between: not a continuation
    text = ("In 2024, 37 banks renamed their customer service centers to remote banking centers. "
            "The association published its report in August. Prices rose and 44% of shoppers said so.")
    res = extractor.extract(text, lang="en")
    assert {c.value: c.metric for c in res.claims}[44.0] is None


# --------------------------------------------------------------------------
# a change in a sentence that refers back to the figure before
# --------------------------------------------------------------------------


@pytest.mark.parametrize("lang,text", [
    ("ko", "2024년 말 기준 37개 은행이 고객센터 명칭을 원격은행센터로 변경했으며, 이는 조사 대상 센터의 44%에 "
           "해당한다. 이는 2023년 대비 4%포인트 증가한 수치다."),
    ("en", "By the end of 2024, 37 banks had renamed their centers, 44% of those surveyed. "
           "That is 4 percentage points more than in 2023."),
])
def test_change_referring_back_continues_the_figure_before(extractor, lang, text):
    res = extractor.extract(text, lang=lang)
    change = [c for c in res.claims if c.kind == "change"]
    assert [(c.value, c.unit, c.direction, c.metric, c.period, c.baseline) for c in change] == [
        (4.0, "pp", "up", "remote_banking.renamed_share", "2024", "2023")]


def test_change_in_a_sentence_about_something_else_is_not_continued(extractor):
    # "한편" (meanwhile): the index is no metric, and nothing refers back
    text = "데이터 대시보드를 활용하는 센터는 59%였다. 한편 이날 상하이종합지수는 0.5% 상승 마감했다."
    res = extractor.extract(text, lang="ko")
    assert {c.value: c.metric for c in res.claims} == {59.0: "data.dashboard_share", 0.5: None}


# --------------------------------------------------------------------------
# the previous year's level, written beside the figure
# --------------------------------------------------------------------------


@pytest.mark.parametrize("lang,text", [
    ("ja", "2024年の有人電話の平均応答率は９４．１８％で、前年の92.88％から1.3ポイント上昇した。"),
    ("en", "In 2024 the average answer rate rose to 94.18% from 92.88% the previous year."),
    ("de", "2024 stieg die Erreichbarkeitsquote auf 94,18 % nach 92,88 % im Vorjahr."),
])
def test_level_of_the_year_before_takes_that_year_and_the_metric(extractor, lang, text):
    res = extractor.extract(text, lang=lang)
    levels = [(c.value, c.metric, c.period) for c in res.claims if c.kind == "level"]
    assert levels == [(94.18, "service.call_answer_rate", "2024"), (92.88, "service.call_answer_rate", "2023")]


def test_last_year_counts_from_publication_and_moves_nothing(extractor):
    # "last year" is not "the year before the sentence's year": no shift
    res = extractor.extract("In 2024 the average answer rate was 94.18%, as last year.", lang="en")
    assert [(c.value, c.period) for c in res.claims] == [(94.18, "2024")]


def _context_hits_of_all_hits(linker, text, sentences, hits):
    """context_hits as it was: every sentence checked against every hit."""
    from cbafacts.linking import AliasHit
    from cbafacts.ontology.kb import normalize_alias

    out = []
    for s0, s1 in sentences:
        pops = [(p.start(), p.end()) for p in linker._pop_rx.finditer(text, s0, s1)]
        if not pops:
            continue
        taken = pops + [(h.start, h.end) for h in hits]
        for m in linker._ctx_rx.finditer(text, s0, s1):
            mid = linker._ctx_ids.get(normalize_alias(m.group(0)))
            if mid is not None and not any(a < m.end() and m.start() < b for a, b in taken):
                out.append(AliasHit(m.start(), m.end(), mid, context=True))
    return out


def test_context_hits_check_the_hits_near_each_sentence() -> None:
    """A context alias is checked against the hits that can overlap it (not
    every hit of the article): the same context hits, also for hits given
    out of order, on every gold article of a language with context aliases."""
    import json
    from pathlib import Path

    from cbafacts.claims import claim_finder
    from cbafacts.linking import MetricLinker
    from cbafacts.ontology.kb import load_ontology

    kb = load_ontology(None)
    checked = 0
    for line in Path(__file__).resolve().parents[1].joinpath("corpus", "gold.jsonl").open(encoding="utf-8"):
        art = json.loads(line)
        linker = MetricLinker(kb, art["lang"])
        if linker._ctx_rx is None or linker._pop_rx is None:
            continue
        text = art["text"]
        sentences = claim_finder(art["lang"]).sentences(text)
        hits = linker.hits(text, len(sentences))
        want = _context_hits_of_all_hits(linker, text, sentences, hits)
        assert linker.context_hits(text, sentences, hits) == want
        assert linker.context_hits(text, sentences, hits[::-1]) == want
        checked += bool(want)
    assert checked >= 1  # some gold article has context hits
