"""Adapters from ``cbafacts.numbers.parse`` to the conformance suite in
``../shared/conformance`` (Microsoft Recognizers-Text's number and percent
specs). Run from the repository root:

    python ../shared/conformance/score.py --suite all \\
        --parser benchmarks.conformance:number \\
        --percent-parser benchmarks.conformance:percent --drop-unsupported dotnet

``number`` reports every number the way that suite counts them: the number
inside a percentage too, without its sign or word, both ends of a range, and
an indefinite article that is also the numeral one as one where it counts
nothing after it ("eine Bank", "tirate un paso": ``parse(...,
lone_articles=True)``; the library's default leaves such articles out).
``percent`` reports percentages only (percentage points included, as the
suite counts them), with the percent form included and the value the
percent number.
"""
from __future__ import annotations

from cbafacts.numbers import parse


def number(text: str, lang: str) -> list[tuple[int, int, float]]:
    out = []
    for m in parse(text, lang, lone_articles=True):
        out.append((m.num_start, m.num_end, m.value))
        if m.value_max is not None:
            # the upper end of a range is a number of its own
            for sub in parse(text[m.num_end:m.end], lang):
                out.append((m.num_end + sub.num_start, m.num_end + sub.num_end, sub.value))
                break
    return out


def percent(text: str, lang: str) -> list[tuple[int, int, float]]:
    # the suite counts percentage points ("6个百分点", "15 Prozentpunkte") as percentages
    return [(m.start, m.end, m.value) for m in parse(text, lang) if m.unit in ("percent", "pp")]
