"""Which numbers are claims, and of what kind (spec/metrics.md, "Values and
units" and "Not claims"), per language, on small realistic sentences.

Each case lists every claim the sentence makes, in text order, as
``(surface, value, unit, kind, direction, measure)``; numbers not listed
(dates, years, report editions, thresholds, look-back windows, phone, page,
list and ordinal numbers) must not come out as claims. Every expectation was
worked out by hand from what the sentence says.
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple

import pytest

from cbafacts.claims import claim_finder


class C(NamedTuple):
    surface: str
    value: float
    unit: str = "count"
    kind: str = "level"
    direction: str | None = None
    measure: str | None = None


def _check(lang: str, text: str, expected: list[C]) -> None:
    got = claim_finder(lang).find(text)
    found = [(c.text, c.value, c.unit, c.kind, c.direction, c.measure) for c in got]
    assert len(got) == len(expected), f"{text!r}: expected {[tuple(e) for e in expected]}, got {found}"
    pos = 0
    for c, e in zip(got, expected):
        start = text.index(e.surface, pos)
        assert (c.start, c.end) == (start, start + len(e.surface)), f"{text!r}: {found}"
        assert c.text == e.surface
        assert math.isclose(c.value, e.value, rel_tol=1e-9), f"{text!r}: {found}"
        assert (c.unit, c.kind, c.direction, c.measure) == (e.unit, e.kind, e.direction, e.measure), (
            f"{text!r}: {e.surface!r}: {found}"
        )
        pos = start + len(e.surface)


def case(lang: str, text: str, *expected: C, xfail: str | None = None) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
    short = text if len(text) <= 40 else text[:37] + "..."
    return pytest.param(lang, text, list(expected), marks=marks, id=f"{lang}:{short}")


PCT = "percent"

# --- numbers that are not claims ----------------------------------------------------

NOT_CLAIMS = [
    # dates and publication dates
    case("en", "On 2024-07-22 the association said 37 banks had renamed their centers.", C("37", 37)),
    case("en", "Blue Whale News August 7th (Reporter Jin Lei) August 7th, the China Banking Association published the report."),
    case("en", "On August 7, the association said 37 banks had renamed their centers.", C("37", 37)),
    case("en", "Published 7 August 2025."),
    case("id", "2024-07-22"),
    case("id", "Pada tanggal 22 Juli 2024, Asosiasi Perbankan Tiongkok merilis laporan tersebut."),
    case("id", "Pada tanggal 22 Juli, Asosiasi Perbankan Tiongkok merilis laporan tersebut."),
    case("zh", "7月22日，中国银行业协会发布报告。"),
    case("zh", "2024年7月22日，中国银行业协会发布报告。"),
    # bare years and years of a period
    case("en", "In 2024, 59% of centers used data dashboards.", C("59%", 59, PCT)),
    case("en", "As of December 2024, there are already 37 banks with remote banking centers.", C("37", 37)),
    case("id", "Pada tahun 2023, 94% pusat layanan pelanggan menyediakan layanan APP.", C("94%", 94, PCT)),
    case("id", "tahun 2023 adalah tahun pertama penerapan teknologi model besar di industri keuangan."),
    case("zh", "截至2024年末，已有37家银行将客服中心更名为远程银行中心。", C("37", 37)),
    case("zh", "2023年，客服中心加快应用大数据技术。"),
    # report edition years
    case("en", 'It published the "China Banking Industry Customer Service Center and Remote Banking Development Report (2024)".'),
    case("id", 'merilis "Laporan Pengembangan Pusat Layanan Pelanggan Industri Perbankan Tiongkok dan Perbankan Jarak Jauh (2023)"'),
    case("zh", "中国银行业协会发布《中国银行业客服中心与远程银行发展报告（2024）》。"),
    # thresholds (the duration beside them is a figure, see below)
    case("en", "The client satisfaction rate was 99.46%, continuously above 99% for four years.",
         C("99.46%", 99.46, PCT), C("four years", 4, measure="years")),
    case("id", "kepuasan pelanggan untuk panggilan manual mencapai 99,46%, lebih tinggi dari 99% selama empat tahun berturut-turut.",
         C("99,46%", 99.46, PCT), C("empat tahun", 4, measure="years")),
    case("zh", "人工电话客户满意度为99.46%，连续四年高于99%。",
         C("99.46%", 99.46, PCT), C("四年", 4, measure="years")),
    case("en", "The answer rate has not fallen below 90% since 2020."),
    case("id", "Tingkat kepuasan tetap di atas 99%."),
    case("zh", "接通率连续三年不低于90%。", C("三年", 3, measure="years")),
    # times
    case("en", "The report was released at 10:30 on Wednesday."),
    case("id", "Laporan itu dirilis pukul 10.30 WIB."),
    case("zh", "报告于10时30分发布。"),
    # look-back windows
    case("en", "Video customer service has grown rapidly in the past three years."),
    case("id", "Jumlah pusat layanan yang meluncurkan layanan video telah berkembang pesat dalam tiga tahun terakhir."),
    case("zh", "近三年来，视频客服发展迅速。"),
    case("zh", "近三年视频客服发展迅速。"),
    case("en", "Two years ago, few centers offered video service."),
    case("en", "Over the last two years, 57% of centers added video service.", C("57%", 57, PCT)),
    # phone numbers
    case("en", "For details call +62 21 5550 1234."),
    case("id", "Hubungi kami di +62 21 5550 1234."),
    case("zh", "客服热线400-820-8888。"),
    case("zh", "客服热线：400-820-8888。"),
    # list numbers at line start (the figures after them are claims)
    case("en", "1. 37 banks renamed their centers\n2. 44% of centers offer video", C("37", 37), C("44%", 44, PCT)),
    case("id", "1. 60% pusat layanan telah membuat dasbor data\n2. 45% menerapkan data tidak terstruktur",
         C("60%", 60, PCT), C("45%", 45, PCT)),
    case("zh", "1. 37家银行完成更名\n2. 占比44%", C("37", 37), C("44%", 44, PCT)),
    # pages and ordinals
    case("en", "The figures are on page 5 of the report."),
    case("en", "In the 2nd quarter, 31% of centers deployed large models.", C("31%", 31, PCT)),
    case("id", "Data tersebut ada di halaman 5 laporan."),
    case("id", "Bank itu berada di peringkat ke-3."),
    case("zh", "详见报告第5页。"),
    case("zh", "该行位列第3名。"),
    # identifiers
    case("en", "During COVID-19, inbound calls rose 10%.", C("10%", 10, PCT, "change", "up")),
    case("en", "Centers now support 5G video calls.", ),
]


@pytest.mark.parametrize("lang,text,expected", NOT_CLAIMS)
def test_not_claims(lang: str, text: str, expected: list[C]) -> None:
    _check(lang, text, expected)


# --- durations that are figures ----------------------------------------------------

DURATIONS = [
    case("en", "Satisfaction has stayed above 99% for four years.", C("four years", 4, measure="years")),
    case("en", "It stayed above 99% for four consecutive years.", C("four consecutive years", 4, measure="years")),
    case("en", "It has topped the survey four years in a row.", C("four years in a row", 4, measure="years")),
    case("id", "lebih tinggi dari 99% selama empat tahun berturut-turut", C("empat tahun", 4, measure="years")),
    case("zh", "连续四年高于99%", C("四年", 4, measure="years")),
]


@pytest.mark.parametrize("lang,text,expected", DURATIONS)
def test_durations_are_claims(lang: str, text: str, expected: list[C]) -> None:
    _check(lang, text, expected)


# --- levels and changes --------------------------------------------------------------

CHANGES = [
    # a change written with "%" keeps unit percent (metrics.md)
    case("en", "accounting for 44%, a 4% increase compared to 2023.",
         C("44%", 44, PCT), C("4%", 4, PCT, "change", "up")),
    case("en", "an average answer rate of 94.18% on calls, a 1.3% increase compared to 2023",
         C("94.18%", 94.18, PCT), C("1.3%", 1.3, PCT, "change", "up")),
    case("en", "Staff numbers fell 4.79% to 41,700.",
         C("4.79%", 4.79, PCT, "change", "down"), C("41,700", 41700)),
    case("en", "Inbound calls rose by 4.6% to 723 million.",
         C("4.6%", 4.6, PCT, "change", "up"), C("723 million", 723e6)),
    case("en", "a decline of 4.79% from the previous year", C("4.79%", 4.79, PCT, "change", "down")),
    case("en", "The share rose to 44%.", C("44%", 44, PCT)),
    case("en", "The share increased by 4 percentage points.", C("4 percentage points", 4, "pp", "change", "up")),
    case("en", "The share was 4 percentage points higher than in 2023.",
         C("4 percentage points", 4, "pp", "change", "up")),
    # percentage points without a cue are still a change, direction unknown
    case("en", "The gap between online and SMS coverage is 20 percentage points.", C("20 percentage points", 20, "pp", "change")),
    case("id", "terdapat 41,700 petugas layanan pelanggan di lembaga keuangan perbankan, turun 4,79% dari tahun sebelumnya",
         C("41,700", 41700), C("4,79%", 4.79, PCT, "change", "down")),
    case("id", "723 juta panggilan masuk diproses secara manual sepanjang tahun, meningkat sebesar 4,6 % dari tahun sebelumnya",
         C("723 juta", 723e6), C("4,6 %", 4.6, PCT, "change", "up")),
    case("id", "mencakup 40%, meningkat 10 poin persentase dibandingkan tahun lalu.",
         C("40%", 40, PCT), C("10 poin persentase", 10, "pp", "change", "up")),
    case("id", "Porsinya naik menjadi 44%.", C("44%", 44, PCT)),
    case("id", "Selisih kedua kanal itu 10 poin persentase.", C("10 poin persentase", 10, "pp", "change")),
    case("zh", "占比44%，较2023年提升4个百分点。", C("44%", 44, PCT), C("4个百分点", 4, "pp", "change", "up")),
    case("zh", "客服从业人员4.17万人，较上年下降4.79%。",
         C("4.17万", 41700), C("4.79%", 4.79, PCT, "change", "down")),
    case("zh", "人工处理来电7.23亿通，同比增长4.6%。",
         C("7.23亿", 723e6), C("4.6%", 4.6, PCT, "change", "up")),
    case("zh", "占比提升至44%。", C("44%", 44, PCT)),
    case("zh", "两者相差10个百分点。", C("10个百分点", 10, "pp", "change")),
]


@pytest.mark.parametrize("lang,text,expected", CHANGES)
def test_levels_and_changes(lang: str, text: str, expected: list[C]) -> None:
    _check(lang, text, expected)


# --- the seed articles' sentences, whole -------------------------------------------

SEED_SENTENCES = [
    case("en", "As of December 2024, there are already 37 banks that have renamed their customer service centers to remote banking centers, accounting for 44%, a 4% increase compared to 2023.",
         C("37", 37), C("44%", 44, PCT), C("4%", 4, PCT, "change", "up")),
    case("en", "In 2024, customer service centers and remote banking had an average answer rate of 94.18% on calls, a 1.3% increase compared to 2023, with a client satisfaction rate of 99.46%, continuously above 99% for four years; services have covered mobile apps, phone, WeChat, SMS, video, email, and microblog.",
         C("94.18%", 94.18, PCT), C("1.3%", 1.3, PCT, "change", "up"), C("99.46%", 99.46, PCT),
         C("four years", 4, measure="years")),
    case("id", "Pada akhir tahun 2023, 31 pusat layanan nasabah bank telah diubah namanya menjadi pusat perbankan jarak jauh, mencakup 40%, meningkat 10 poin persentase dibandingkan tahun lalu.",
         C("31", 31), C("40%", 40, PCT), C("10 poin persentase", 10, "pp", "change", "up")),
]


@pytest.mark.parametrize("lang,text,expected", SEED_SENTENCES)
def test_seed_sentences(lang: str, text: str, expected: list[C]) -> None:
    _check(lang, text, expected)


def test_claims_slice_the_text() -> None:
    for params in (NOT_CLAIMS, DURATIONS, CHANGES, SEED_SENTENCES):
        for p in params:
            lang, text, _ = p.values
            for c in claim_finder(lang).find(text):
                assert text[c.start:c.end] == c.text
                s0, s1 = c.sentence
                assert s0 <= c.start < c.end <= s1


SIGNS_AND_BOUNDS = [
    # a plus sign or a minus makes a share a change, with that direction
    ("pt", "Em 2024, a taxa foi de 94,18% (+1,3 pontos percentuais face a 2023).",
     [C("94,18%", 94.18, "percent"), C("1,3 pontos percentuais", 1.3, "pp", "change", "up")]),
    ("en", "In 2023 the centers had 41,700 agents (-4.79%).",
     [C("41,700", 41700), C("-4.79%", 4.79, "percent", "change", "down")]),
    ("de", "Die Quote lag bei 92,88 % (−1,3 Prozentpunkte).",
     [C("92,88 %", 92.88, "percent"), C("−1,3 Prozentpunkte", 1.3, "pp", "change", "down")]),
    # pt "mais"/"menos" right before the number is a change; "mais de" is a bound
    ("pt", "o que representa 46% do total, mais 4 pontos percentuais do que em 2023.",
     [C("46%", 46.0, "percent"), C("4 pontos percentuais", 4.0, "pp", "change", "up")]),
    ("pt", "Chegou a mais de 40% dos centros.", [C("40%", 40.0, "percent")]),
    # a change word after the figure, then the year compared with: the year is no figure of its own
    ("de", "Sie bearbeiteten 723 Millionen Anrufe, 4,6 Prozent mehr als 2022.",
     [C("723 Millionen", 723e6), C("4,6 Prozent", 4.6, "percent", "change", "up")]),
    ("de", "Mehr als 40 Prozent der Zentren nutzen Dashboards.", [C("40 Prozent", 40.0, "percent")]),
    # a bound beside a streak is the streak's threshold, before or after the figure
    ("ko", "상담원 전화 고객 만족도는 99.46퍼센트로 4년 연속 99%를 웃돌았다.",
     [C("99.46퍼센트", 99.46, "percent"), C("4년", 4, measure="years")]),
    ("ja", "有人電話の顧客満足度は99.46％となり、4年連続で99％を上回った。",
     [C("99.46％", 99.46, "percent"), C("4年", 4, measure="years")]),
]


@pytest.mark.parametrize("lang,text,expected", SIGNS_AND_BOUNDS)
def test_signs_adjacent_change_words_and_streak_thresholds(lang: str, text: str, expected: list[C]) -> None:
    _check(lang, text, expected)
