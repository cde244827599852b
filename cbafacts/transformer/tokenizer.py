"""A character-level tokenizer, built with the ``tokenizers`` library and
saved as a real ``PreTrainedTokenizerFast`` (``AutoTokenizer.from_pretrained``
loads it).

One token per character after NFKC and lower-casing, so "２０２４" reads like
"2024" and every script and number format is covered; the fast tokenizer's
offset mapping points each token back at its character in the original text.
The vocabulary is every character of the training texts and of the project's
language data (number words, cues, metric aliases), plus the decimal digits
of every script Unicode knows; anything else is ``[UNK]``.
"""
from __future__ import annotations

import sys
import unicodedata
from pathlib import Path
from typing import Iterable

from ..data import LANG_DIR, PACKAGE_DIR

SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def data_characters() -> set[str]:
    """Characters of the project's language data and ontology files."""
    chars: set[str] = set()
    files = sorted(LANG_DIR.glob("*/*.yaml")) + sorted((PACKAGE_DIR / "ontology").glob("*.yaml"))
    for path in files:
        chars.update(_normalize(path.read_text(encoding="utf-8")))
    # decimal digits of every script
    chars.update(_normalize(chr(cp)) for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Nd")
    return chars


def build_tokenizer(texts: Iterable[str], model_max_length: int = 512):
    """A character ``PreTrainedTokenizerFast`` over ``texts`` and the data.

    RETURNS (PreTrainedTokenizerFast): with ``[CLS] ... [SEP]`` added around
        each sequence and offsets in code points of the input.
    """
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    chars = data_characters()
    for t in texts:
        chars.update(_normalize(t))
    vocab = {tok: i for i, tok in enumerate(SPECIALS)}
    for ch in sorted(c for c in chars if len(c) == 1):
        vocab.setdefault(ch, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(r"[\s\S]"), behavior="isolated")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
        sep_token="[SEP]", mask_token="[MASK]", model_max_length=model_max_length,
    )


def save_tokenizer(tokenizer, out: str | Path) -> None:
    tokenizer.save_pretrained(str(out))
