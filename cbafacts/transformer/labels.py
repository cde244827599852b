"""The tag set of the tagger and the two conversions around it.

Spans are character spans ``(label, start, end)`` in code points of the text.
:func:`token_labels` turns them into one BIO label per token through the
fast tokenizer's offset mapping (the same code for a character vocabulary and
for a pretrained subword one); :func:`decode` turns predicted labels back
into character spans. Neither knows anything about a language or a script.
"""
from __future__ import annotations

from bisect import bisect_right
from typing import Sequence

#: span types: the number with its unit, the change cue, the metric phrase,
#: the period phrase
TYPES: tuple[str, ...] = ("NUM", "CHANGE", "METRIC", "PERIOD")
LABELS: tuple[str, ...] = ("O",) + tuple(f"{p}-{t}" for t in TYPES for p in ("B", "I"))
LABEL2ID: dict[str, int] = {lab: i for i, lab in enumerate(LABELS)}
ID2LABEL: dict[int, str] = dict(enumerate(LABELS))
#: label id that the loss ignores (special and padding tokens)
IGNORE = -100

Span = tuple[str, int, int]


def token_labels(spans: Sequence[Span], offsets: Sequence[tuple[int, int]]) -> list[int]:
    """One label id per token.

    spans (Sequence[Span]): non-overlapping character spans.
    offsets (Sequence[tuple[int, int]]): the tokenizer's offset mapping;
        ``(0, 0)`` (special tokens) gets :data:`IGNORE`.
    RETURNS (list[int]): ``B-X`` for the first token overlapping a span of
        type X, ``I-X`` for the next ones, ``O`` elsewhere.
    """
    spans = sorted(spans, key=lambda s: s[1])
    starts = [s[1] for s in spans]
    out: list[int] = []
    seen: set[int] = set()
    for a, b in offsets:
        if a == b:
            out.append(IGNORE)
            continue
        k = bisect_right(starts, a) - 1
        hit = None
        for j in (k, k + 1):
            if 0 <= j < len(spans) and spans[j][1] < b and a < spans[j][2]:
                hit = j
                break
        if hit is None:
            out.append(LABEL2ID["O"])
            continue
        label = spans[hit][0]
        out.append(LABEL2ID[("I-" if hit in seen else "B-") + label])
        seen.add(hit)
    return out


def decode(labels: Sequence[str], offsets: Sequence[tuple[int, int]], text: str) -> list[Span]:
    """Character spans from per-token labels (lenient BIO: an ``I-X`` after
    anything but X starts a span; tokens sharing one character, as after
    Unicode normalization, extend it). Whitespace at the edges is left out.

    RETURNS (list[Span]): spans in text order, ``text[start:end]`` non-empty.
    """
    out: list[Span] = []
    cur: list | None = None
    for lab, (a, b) in zip(labels, offsets):
        if a == b:
            continue
        if lab == "O":
            if cur is not None and a < cur[2]:
                continue  # a second token of the same character
            cur = None
            continue
        prefix, typ = lab.split("-", 1)
        if cur is not None and cur[0] == typ and (prefix == "I" or a < cur[2]):
            cur[2] = max(cur[2], b)
            continue
        cur = [typ, a, b]
        out.append(cur)  # type: ignore[arg-type]
    spans: list[Span] = []
    for typ, a, b in out:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((typ, a, b))
    return spans
