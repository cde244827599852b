"""The tagger at inference time: a token-classification model in a directory.

``Tagger.load(path)`` checks the directory (coded errors, no traceback for a
missing file), loads tokenizer and model with ``from_pretrained`` (local
files only, ``trust_remote_code=False``, safetensors only), and
``Tagger.tag(texts)`` returns character spans per text.

Long texts are cut into overlapping windows of tokens; all windows of all
texts run in batches under ``torch.inference_mode()``. Each token takes its
label from the window in which it lies farthest from an edge, so a number
cut by one window's edge is read from a window that sees all of it; offsets
come from the fast tokenizer's offset mapping, so spans point at the exact
characters of the original text.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..errors import Errors
from .labels import LABELS, Span, decode

#: files a model directory must hold
REQUIRED_FILES = ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")
ENV_VAR = "CBAFACTS_TAGGER_MODEL"


def check_model_dir(path: str | Path) -> Path:
    """Raise a coded error when ``path`` is not a complete model directory.

    RAISES (FileNotFoundError): ``[E801]`` no such directory, ``[E802]``
        files missing.
    """
    p = Path(path)
    if not p.is_dir():
        raise FileNotFoundError(Errors.E801.format(path=str(p), env=ENV_VAR))
    missing = [f for f in REQUIRED_FILES if not (p / f).is_file()]
    if missing:
        raise FileNotFoundError(Errors.E802.format(path=str(p), missing=", ".join(missing),
                                                   expected=", ".join(REQUIRED_FILES)))
    return p


def _imports() -> tuple[Any, Any, Any]:
    try:
        import torch
        from transformers import AutoModelForTokenClassification, AutoTokenizer
    except ImportError as exc:  # pragma: no cover - the extra is installed in dev
        raise ImportError(Errors.E805.format(error=exc)) from exc
    return torch, AutoTokenizer, AutoModelForTokenClassification


@dataclass
class Window:
    text: int      # index of the text
    first: int     # index of its first token in the text's token list
    ids: list[int]


class Tagger:
    """A loaded tagger.

    tokenizer: a fast tokenizer (offset mapping needed).
    model: a ``*ForTokenClassification`` model with BIO labels over
        :data:`~cbafacts.transformer.labels.TYPES`.
    window (int): tokens per window, special tokens included (default: the
        model's ``max_position_embeddings``, at most 512).
    overlap (int): tokens shared by neighbouring windows.
    batch_size (int): windows per forward pass.
    threads (int | None): torch threads while tagging (restored after;
        default ``$CBAFACTS_TORCH_THREADS`` or 1: on a shared machine one
        thread per process is several times faster than oversubscribing;
        0 = torch's default).
    num_threshold (float): a token is part of a number when the model gives
        ``B-NUM`` + ``I-NUM`` at least this probability (default: 0.5 = argmax
        for the usual case; lower finds more numbers).
    """

    def __init__(self, tokenizer: Any, model: Any, *, window: int | None = None, overlap: int | None = None,
                 batch_size: int = 16, path: str = "", threads: int | None = None,
                 num_threshold: float = 0.5) -> None:
        torch, _, _ = _imports()
        self.torch = torch
        self.tokenizer = tokenizer
        self.model = model.eval()
        self.path = path
        limit = int(getattr(model.config, "max_position_embeddings", 512) or 512)
        self.window = max(8, min(window or 256, limit, 512))
        inner = self.window - 2
        self.overlap = min(overlap if overlap is not None else inner // 4, inner - 1)
        self.batch_size = batch_size
        self.threads = int(os.environ.get("CBAFACTS_TORCH_THREADS", 1)) if threads is None else threads
        self.num_threshold = num_threshold
        id2label = {int(k): v for k, v in model.config.id2label.items()}
        self.labels = [id2label[i] for i in range(len(id2label))]
        if set(self.labels) != set(LABELS):
            raise ValueError(Errors.E804.format(path=path, found=self.labels, expected=list(LABELS)))

    @classmethod
    def load(cls, path: str | Path, **kwargs: Any) -> "Tagger":
        """Load a tagger from a model directory (never from a hub)."""
        p = check_model_dir(path)
        _, AutoTokenizer, AutoModel = _imports()
        from transformers.utils import logging as hf_logging

        bar = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()  # no "Loading weights" bar in batch runs
        try:
            tokenizer = AutoTokenizer.from_pretrained(str(p), local_files_only=True, trust_remote_code=False)
            model = AutoModel.from_pretrained(str(p), local_files_only=True, trust_remote_code=False,
                                              use_safetensors=True)
        except Exception as exc:  # noqa: BLE001 - any loading failure becomes one coded error
            raise ValueError(Errors.E803.format(path=str(p), error=f"{type(exc).__name__}: {exc}")) from exc
        finally:
            if bar:
                hf_logging.enable_progress_bar()
        if not getattr(tokenizer, "is_fast", False):
            raise ValueError(Errors.E803.format(path=str(p), error="the tokenizer is not a fast tokenizer"))
        return cls(tokenizer, model, path=str(p), **kwargs)

    # ---------------------------------------------------------------------
    def _encode(self, text: str) -> tuple[list[int], list[tuple[int, int]]]:
        enc = self.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True,
                             return_attention_mask=False, return_token_type_ids=False, verbose=False)
        return list(enc["input_ids"]), [tuple(o) for o in enc["offset_mapping"]]

    def _windows(self, ti: int, ids: list[int]) -> list[Window]:
        inner = self.window - 2
        step = inner - self.overlap
        out = []
        first = 0
        while True:
            out.append(Window(ti, first, ids[first:first + inner]))
            if first + inner >= len(ids):
                break
            first += step
        return out

    def tag(self, texts: Sequence[str]) -> list[list[Span]]:
        """Spans ``(type, start, end)`` of each text, in text order."""
        torch = self.torch
        encoded = [self._encode(t) for t in texts]
        windows = [w for ti, (ids, _) in enumerate(encoded) for w in self._windows(ti, ids)]
        # best[ti][k] = (distance to the nearest window edge, label id)
        best: list[list[tuple[int, int]]] = [[(-1, 0)] * len(ids) for ids, _ in encoded]
        saved = torch.get_num_threads()
        if self.threads > 0:
            torch.set_num_threads(self.threads)
        try:
            self._run(windows, best)
        finally:
            torch.set_num_threads(saved)
        out = []
        for text, (ids, offsets), labels in zip(texts, encoded, best):
            out.append(decode([self.labels[lab] for _, lab in labels], offsets, text))
        return out

    def _run(self, windows: list[Window], best: list[list[tuple[int, int]]]) -> None:
        torch = self.torch
        cls_id, sep_id = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id
        pad_id = self.tokenizer.pad_token_id or 0
        b_num, i_num = self.labels.index("B-NUM"), self.labels.index("I-NUM")
        with torch.inference_mode():
            for b in range(0, len(windows), self.batch_size):
                batch = windows[b:b + self.batch_size]
                width = max(len(w.ids) for w in batch) + 2
                input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for r, w in enumerate(batch):
                    row = [cls_id, *w.ids, sep_id]
                    input_ids[r, :len(row)] = torch.tensor(row, dtype=torch.long)
                    mask[r, :len(row)] = 1
                probs = self.model(input_ids=input_ids, attention_mask=mask).logits.softmax(-1)
                pred_t = probs.argmax(-1)
                num = probs[..., b_num] + probs[..., i_num]
                pick = torch.where(probs[..., b_num] >= probs[..., i_num], b_num, i_num)
                pred = torch.where(num >= self.num_threshold, pick, pred_t).tolist()
                for r, w in enumerate(batch):
                    n = len(w.ids)
                    slot = best[w.text]
                    # the text's own start and end are no window edges
                    open_left, open_right = w.first > 0, w.first + n < len(slot)
                    for k in range(n):
                        dist = min(k if open_left else n, n - 1 - k if open_right else n)
                        if dist > slot[w.first + k][0]:
                            slot[w.first + k] = (dist, pred[r][k + 1])
