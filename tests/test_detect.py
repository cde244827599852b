"""Tests for cbafacts.detect: language detection and boilerplate lines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cbafacts.detect import (
    content_lines,
    detect_language,
    is_boilerplate,
    normalize_code,
    script_of,
)

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
EN_SEED = SEEDS / "000_76fd66fdbd55d08e.txt"
ID_SEED = SEEDS / "004_1394d275d59fc066.txt"
MENU = "한어Русский языкEnglishFrançaisIndonesianSanskrit日本語Deutsch"


def seed(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def test_english_seed() -> None:
    lang, conf = detect_language(seed(EN_SEED))
    assert lang == "en"
    assert conf > 0.9


def test_indonesian_seed_despite_its_language_menu() -> None:
    text = seed(ID_SEED)
    assert any(len({script_of(c) for c in line} - {None}) >= 3 for line in text.splitlines())
    lang, conf = detect_language(text)
    assert lang == "id"
    assert conf > 0.9


def test_content_lines_removes_indonesian_boilerplate() -> None:
    text = seed(ID_SEED)
    kept = content_lines(text).split("\n")
    for line in ("berita", "2024-07-22", "Sumber: Jaringan Global"):
        assert line in text.splitlines()
        assert line not in kept
    assert not any("Русский" in line or "English" in line for line in kept)
    assert kept[0].startswith("Asosiasi Perbankan Tiongkok:")  # the headline stays
    assert all(line in text.splitlines() for line in kept)  # lines unchanged
    assert all(line.strip() for line in kept)


def test_content_lines_keeps_every_english_line() -> None:
    text = seed(EN_SEED)
    assert content_lines(text) == "\n".join(text.splitlines())


@pytest.mark.parametrize(
    "line",
    [
        "",
        "   ",
        "2024-07-22",
        "12:30",
        "* * *",
        "berita",
        "Sumber: Jaringan Global",
        "August 7th",
        "Senin, 22 Juli 2024 14:30 WIB",
        "2024年7月22日",
        "首页 > 财经",
        MENU,
        "English Français Deutsch Русский 日本語",
        "Español Ελληνικά 한국어 Indonesia Bahasa Melayu Italiano",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "The report says 44% of banks renamed their centres.",
        "中国银行业协会发布报告，远程银行中心占比达到44%。",
        "日本銀行は金融政策決定会合で政策金利を引き上げた。",  # Han + kana: one script group
        "東京の銀行はAPPとWeChatのサービスを提供している。",  # plus Latin: two groups
        "한국은행은 기준금리를 동결했다고 밝혔다.",
        "Банк России сохранил ключевую ставку на уровне 16%.",
    ],
)
def test_content_lines_kept(line: str) -> None:
    assert not is_boilerplate(line)


def test_long_running_text_with_three_scripts_is_not_a_menu() -> None:
    line = (
        "The China Banking Association (中国银行业协会) published its annual report, "
        "which the Russian press called «Отчёт о дистанционном банкинге»; it says that "
        "37 banks renamed their customer service centers to remote banking centers, "
        "accounting for 44% of all centers, and that the average answer rate on calls "
        "reached 94.18% while client satisfaction stayed at 99.46% for the fourth year."
    )
    assert not is_boilerplate(line)
    assert detect_language(line + "\nberita\n2024-07-22")[0] == "en"


def test_long_language_menu_is_still_a_menu() -> None:
    seed_menu = seed(ID_SEED).splitlines()[6]
    assert seed_menu.startswith("한어Русский")
    long_menu = " ".join([seed_menu] * 15)  # 50+ word units, Latin 77 % of letters
    assert is_boilerplate(long_menu)


def test_script_of() -> None:
    assert script_of("a") == "LATIN"
    assert script_of("Ａ") == "LATIN"  # FULLWIDTH LATIN CAPITAL LETTER A
    assert script_of("é") == "LATIN"
    assert script_of("ж") == "CYRILLIC"
    assert script_of("λ") == "GREEK"
    assert script_of("한") == "HANGUL"
    assert script_of("中") == "CJK"
    assert script_of("の") == "CJK"  # hiragana grouped with Han
    assert script_of("カ") == "CJK"  # katakana too
    assert script_of("ｶ") == "CJK"  # HALFWIDTH KATAKANA
    assert script_of("ー") == "CJK"  # KATAKANA-HIRAGANA PROLONGED SOUND MARK
    assert script_of("ب") == "ARABIC"
    assert script_of("क") == "DEVANAGARI"
    assert script_of("ก") == "THAI"
    assert script_of("1") is None
    assert script_of("%") is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "2024-07-22",
        "12345",
        "44% 4,79%",
        "!!! ... ---",
        "\u2014\u2014",
        "\x00\x01",
        "\ud800",
    ],
)
def test_nothing_to_detect_is_und(text: str) -> None:
    assert detect_language(text) == ("und", 0.0)


@pytest.mark.parametrize("text", ["x", "ok", "A1", "\ud800abc", "http://example.com/a/b", "a@b.cd"])
def test_never_raises(text: str) -> None:
    lang, conf = detect_language(text)
    assert isinstance(lang, str) and isinstance(conf, float)
    assert 0.0 <= conf <= 1.0


def test_chinese() -> None:
    text = (
        "截至2024年12月，已有37家银行将客服中心更名为远程银行中心，占比44%，较2023年提升4个百分点。"
    )
    lang, conf = detect_language(text)
    assert lang == "zh"
    assert conf > 0.9


def test_traditional_chinese_maps_to_zh() -> None:
    text = (
        "截至2024年12月，已有37家銀行將客服中心更名為遠程銀行中心，佔比44%，較2023年提升4個百分點。"
    )
    assert detect_language(text)[0] == "zh"


def test_japanese() -> None:
    text = "中国銀行業協会は8月7日、報告書を発表した。2024年の応答率は94.18%だった。"
    lang, conf = detect_language(text)
    assert lang == "ja"
    assert conf > 0.9


@pytest.mark.parametrize(
    "text",
    [
        # plain langdetect says "ko" for these (kana never occur in Korean)
        "中国銀行業協会発表報告書、遠隔銀行中心占比四十四%、顧客満足度九十九%の水準。",
        "銀行業協会の報告書",
    ],
)
def test_mostly_han_with_some_kana_is_japanese(text: str) -> None:
    lang, conf = detect_language(text)
    assert lang == "ja"
    assert conf > 0.9


def test_han_only_text_is_not_korean() -> None:
    # plain langdetect: ko 0.71; Korean is written in Hangul
    assert detect_language("中国銀行業協会発表報告書")[0] != "ko"
    assert detect_language("韓國銀行은 基準金利를 凍結했다")[0] == "ko"


def test_a_stray_kana_in_long_chinese_stays_chinese() -> None:
    text = (
        "截至2024年12月，已有37家银行将客服中心更名为远程银行中心，占比44%，较2023年提升4个百分点。"
        * 3
    )
    assert detect_language(text + "の")[0] == "zh"


def test_boilerplate_does_not_outvote_the_body() -> None:
    body = "Menurut laporan tersebut, pusat layanan pelanggan dan bank jarak jauh terus berkembang pesat."
    labels = "\n".join(["Home", "News", "English", "Sumber: Global", "2024-07-22", MENU] * 5)
    assert detect_language(labels + "\n" + body)[0] == "id"


def test_all_boilerplate_falls_back_to_whole_text() -> None:
    text = "Bank report\nService centers"  # both lines short
    assert content_lines(text) == ""
    lang, conf = detect_language(text)
    assert lang != "und" and conf > 0.0


def test_deterministic_twenty_times() -> None:
    text = seed(ID_SEED)
    short = "Bank naik empat persen"  # short text: where randomness would show
    for sample in (text, short):
        answers = {detect_language(sample) for _ in range(20)}
        assert len(answers) == 1


def test_seed_is_per_call_and_ignores_global_state() -> None:
    import langdetect
    from langdetect import DetectorFactory

    sample = "Bank naik empat persen"
    before = detect_language(sample)
    old = DetectorFactory.seed
    try:
        DetectorFactory.seed = 12345
        langdetect.detect_langs("some other text to advance things")
        assert detect_language(sample) == before
    finally:
        DetectorFactory.seed = old
    assert detect_language(sample, seed=0) == before


def test_same_answer_in_a_fresh_process() -> None:
    sample = "Bank naik empat persen, kata laporan"
    here = detect_language(sample)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from cbafacts.detect import detect_language;"
        f"print(repr(detect_language({sample!r})))"
    )
    root = str(Path(__file__).resolve().parents[1])
    for hashseed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        out = subprocess.run(
            [sys.executable, "-c", code, root], capture_output=True, text=True, env=env, check=True
        ).stdout.strip()
        assert out == repr(here)


def test_normalize_code() -> None:
    assert normalize_code("zh-cn") == "zh"
    assert normalize_code("zh-tw") == "zh"
    assert normalize_code("zh-Hans") == "zh"
    assert normalize_code("ID") == "id"
    assert normalize_code("in") == "id"
    assert normalize_code("en_US") == "en"
    assert normalize_code("") == "und"
    assert normalize_code(None) == "und"


# --------------------------------------------------------------------------
# languages langdetect has no profile for: Malay, read as Indonesian
# --------------------------------------------------------------------------

MALAY = [
    "Kerajaan berkata bahawa kadar pengangguran turun kepada 3.3 peratus pada suku kedua, "
    "manakala jualan runcit meningkat berbanding tahun lepas.",
    "Syarikat itu melaporkan keuntungan bersih RM1.2 bilion kerana permintaan yang kukuh, "
    "dan pelanggan boleh membuat pembayaran melalui aplikasi mudah alih.",
]
INDONESIAN = [
    "Pemerintah mengatakan bahwa tingkat pengangguran turun menjadi 3,3 persen pada kuartal kedua, "
    "sedangkan penjualan eceran meningkat dibandingkan tahun lalu.",
    "Perusahaan itu melaporkan laba bersih Rp1,2 triliun karena permintaan yang kuat, "
    "dan pelanggan bisa membayar melalui aplikasi layanan keuangan.",
]


@pytest.mark.parametrize("text", MALAY)
def test_malay_told_from_indonesian(text):
    code, conf = detect_language(text)
    assert code == "ms"
    assert 0.5 < conf <= 1.0


@pytest.mark.parametrize("text", INDONESIAN)
def test_indonesian_stays_indonesian(text):
    assert detect_language(text)[0] == "id"


def test_sibling_needs_more_markers_than_the_language_read_as():
    from cbafacts.detect import refine_sibling

    # one Malay marker only: below min_markers
    assert refine_sibling("id", 0.9, "Harga naik 2 peratus tahun ini.") == ("id", 0.9)
    # as many Indonesian markers as Malay ones: stays Indonesian
    assert refine_sibling("id", 0.9, "kerana bahawa karena bahwa")[0] == "id"
    # a language with no sibling is left alone
    assert refine_sibling("en", 0.8, "kerana bahawa peratus") == ("en", 0.8)


@pytest.mark.parametrize("line", [
    "", "2024-07-22", "berita", "Sumber: Jaringan Global", "August 7th 10:30",
    "In 2024, 37 banks renamed their centers.", "COVID-19 cases rose by 5% in the past week here",
    "a b c d", "a b c 4d", "___ --- ***", "Senin, 22 Juli 2024 14:30 WIB",
])
def test_ascii_fast_path_same_as_script_rules(line):
    """ASCII lines take a shortcut in is_boilerplate; it must answer as the
    general per-script rules do."""
    from cbafacts.detect import MIN_WORD_UNITS, _is_menu, _word_units, is_boilerplate

    if not any(ch.isalpha() for ch in line):
        general = True
    else:
        units = _word_units(line)
        general = units < MIN_WORD_UNITS or _is_menu(line, units)
    assert is_boilerplate(line) == general


_SCRIPT_SAMPLE = "aZé ж中のカ한กบ क1٣%\u3000\t-ｶーſİ" + "ـ" + "\u0301"


@given(st.lists(st.text(alphabet=_SCRIPT_SAMPLE, min_size=0, max_size=60), max_size=4))
@settings(max_examples=300, deadline=None)
def test_line_profile_equals_per_character_rules(parts):
    """The token-cached profile of a line gives the units and the letters
    per script that the per-character rules give, and so the same
    boilerplate answer (long tokens included: the cache only skips them)."""
    from cbafacts.detect import (MIN_WORD_UNITS, _PROFILE_CACHED_CHARS, _is_menu, _line_profile,
                                 _script_counts, _word_units)

    line = " ".join(parts) + " " + "中" * (_PROFILE_CACHED_CHARS + len(parts))
    for text in (line, " ".join(parts)):
        units, counts = _line_profile(text)
        assert units == _word_units(text)
        assert counts == _script_counts(text)
        if text.isascii():
            continue
        if not any(ch.isalpha() for ch in text):
            general = True
        else:
            general = _word_units(text) < MIN_WORD_UNITS or _is_menu(text, _word_units(text))
        assert is_boilerplate(text) == general


def _probabilities(detector, text: str, seed: int, prior=None) -> list[tuple[str, float]]:
    detector.seed = seed
    if prior is not None:
        detector.set_prior_map(prior)
    detector.append(text)
    return [(lang.lang, lang.prob) for lang in detector.get_probabilities()]


@pytest.mark.parametrize("seed_value,with_prior", [(0, False), (7, False), (3, True)])
def test_fast_detector_gives_langdetects_probabilities_bit_for_bit(seed_value, with_prior) -> None:
    import json

    from cbafacts.detect import _fast_detector_class, _get_factory

    root = Path(__file__).resolve().parents[1]
    texts = [json.loads(line)["text"] for line in (root / "corpus" / "gold.jsonl").open(encoding="utf-8")]
    texts += [seed(EN_SEED), seed(ID_SEED), MENU, "ABC DEF ghi JKL mno", "  two  spaces\u3000and\ttabs  ",
              "Xin chào thế giới, đây là tiếng Việt", "http://example.com a@b.co Привет мир", "ＡＢＣ全角カナ"]
    texts += ["Only LATIN in 中文的文章里 ABCD 银行 and more", "x", "Ü ÄÖ äöü ß ẞ ŒUVRE œuvre"]
    factory, fast = _get_factory(), _fast_detector_class()
    # a prior as the Han-family rerun sets one: some languages ruled out
    langs = factory.get_lang_list()
    prior = {lang: (0.0 if k % 3 == 0 else 1.0 + k / 10) for k, lang in enumerate(langs)} if with_prior else None
    for text in texts:
        text = text[:1500]
        assert (_probabilities(fast(factory), text, seed_value, prior)
                == _probabilities(factory.create(), text, seed_value, prior))
