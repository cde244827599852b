"""Training the tagger: ``cbafacts train`` (or ``python -m cbafacts.transformer.train``).

Data:

- gold: the articles of one split of ``corpus/gold.jsonl`` (default
  ``dev``); ``NUM`` spans are the spaCy path's claims plus the gold facts it
  missed, ``CHANGE``/``METRIC``/``PERIOD`` come from the project's data
  (:mod:`.annotate`); repeated ``--gold-weight`` times per epoch;
- silver: ``--silver N`` synthetic articles of ``benchmarks/make_corpus.py``
  (seeded), labelled by the spaCy path (:mod:`.silver`).

Model: from scratch, a ``BertForTokenClassification`` over a character
vocabulary (``--size tiny|small``); or, with ``--base NAME_OR_PATH``, a
pretrained encoder (xlm-roberta-base, mdeberta-v3-base, a local directory)
fine-tuned with its own tokenizer: labels are aligned through the fast
tokenizer's offset mapping, so the same code serves characters and subwords.

Everything is seeded (``--seed``): the same command gives the same data
(fingerprint in ``recipe.json``) and the same weights on the same machine.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

from ..errors import Errors
from .annotate import spans_from_claims
from .labels import ID2LABEL, IGNORE, LABEL2ID, LABELS, token_labels
from .silver import Example, fingerprint, silver_examples

REPO_DIR = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO_DIR / "models" / "cbafacts-tagger-small"

#: model sizes trained from scratch
SIZES: dict[str, dict[str, int]] = {
    "tiny": {"hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 128,
             "window": 128},
    "small": {"hidden_size": 192, "num_hidden_layers": 4, "num_attention_heads": 4, "intermediate_size": 384,
              "window": 256},
}


@dataclass
class TrainConfig:
    out: str = str(DEFAULT_OUT)
    size: str = "small"
    base: str | None = None
    epochs: int = 8
    max_steps: int | None = None
    seed: int = 13
    lr: float = 5e-4
    batch_size: int = 16
    window: int | None = None
    gold: str = str(REPO_DIR / "corpus" / "gold.jsonl")
    splits: str | None = None
    split: str = "dev"
    gold_weight: int = 4
    silver: int = 300
    threads: int = 1


def gold_examples(path: str, split: str | None, splits: str | None = None) -> list[Example]:
    """Training examples of the gold articles of ``split`` (None: all)."""
    from ..backends import SpacyBackend
    from ..evaluate import load_gold, load_splits, select_split

    gold = load_gold(path)
    if split:
        spath = splits or str(Path(path).parent / "splits.json")
        gold = select_split(gold, load_splits(spath, split), split=split, path=spath)
    spacy_backend = SpacyBackend()
    out = []
    for rec in gold:
        text, lang = rec["text"], rec["lang"]
        claims, _ = spacy_backend.claims(text, lang)
        spans = spans_from_claims(text, lang, claims, rec.get("facts") or [])
        out.append(Example(str(rec["id"]), lang, text, tuple(spans), "gold"))
    return out


def features(examples: Sequence[Example], tokenizer: Any, window: int) -> list[tuple[list[int], list[int]]]:
    """Every example tokenized once, labels aligned through the offset
    mapping: ``(token ids, label ids)`` of the whole text, without specials."""
    out = []
    for ex in examples:
        enc = tokenizer(ex.text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        out.append((list(enc["input_ids"]), token_labels(ex.spans, enc["offset_mapping"])))
    return out


def windows(feats: Sequence[tuple[list[int], list[int]]], weights: Sequence[int], inner: int,
            rng: random.Random) -> list[tuple[list[int], list[int]]]:
    """One epoch of windows: each text cut into pieces of ``inner`` tokens
    from a random first offset, ``weight`` times; shuffled."""
    out = []
    for (ids, labels), weight in zip(feats, weights):
        for _ in range(weight):
            start = -rng.randrange(inner // 2) if len(ids) > inner else 0
            while start < len(ids):
                a = max(0, start)
                piece = (ids[a:a + inner], labels[a:a + inner])
                if any(lab > 0 for lab in piece[1]) or rng.random() < 0.3:
                    out.append(piece)
                start += inner
    rng.shuffle(out)
    return out


def _batch(torch: Any, pieces: Sequence[tuple[list[int], list[int]]], cls_id: int, sep_id: int, pad_id: int):
    width = max(len(p[0]) for p in pieces) + 2
    ids = torch.full((len(pieces), width), pad_id, dtype=torch.long)
    labels = torch.full((len(pieces), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(pieces), width), dtype=torch.long)
    for r, (tok, lab) in enumerate(pieces):
        n = len(tok) + 2
        ids[r, :n] = torch.tensor([cls_id, *tok, sep_id])
        labels[r, 1:n - 1] = torch.tensor(lab)
        mask[r, :n] = 1
    return ids, mask, labels


def build_model(cfg: TrainConfig, texts: Sequence[str]) -> tuple[Any, Any, int]:
    """(tokenizer, model, window) for a config: from scratch or from ``base``."""
    from transformers import AutoModelForTokenClassification, AutoTokenizer, BertConfig, BertForTokenClassification

    label_kwargs = {"num_labels": len(LABELS), "id2label": dict(ID2LABEL), "label2id": dict(LABEL2ID)}
    if cfg.base:
        try:
            tokenizer = AutoTokenizer.from_pretrained(cfg.base, trust_remote_code=False)
            model = AutoModelForTokenClassification.from_pretrained(
                cfg.base, trust_remote_code=False, use_safetensors=True, ignore_mismatched_sizes=True,
                **label_kwargs)
        except Exception as exc:  # noqa: BLE001 - one coded error for any loading failure
            raise ValueError(Errors.E807.format(base=cfg.base, error=f"{type(exc).__name__}: {exc}")) from exc
        if not getattr(tokenizer, "is_fast", False):
            raise ValueError(Errors.E807.format(base=cfg.base, error="no fast tokenizer (offsets are needed)"))
        limit = int(getattr(model.config, "max_position_embeddings", 512) or 512)
        # RoBERTa-style position ids start after the padding index
        limit -= int(getattr(model.config, "pad_token_id", 0) or 0) + 1 if model.config.model_type in (
            "roberta", "xlm-roberta", "camembert") else 0
        return tokenizer, model, min(cfg.window or 256, limit, 512)
    from .tokenizer import build_tokenizer

    size = dict(SIZES[cfg.size])
    window = cfg.window or size.pop("window")
    size.pop("window", None)
    tokenizer = build_tokenizer(texts, model_max_length=window)
    config = BertConfig(vocab_size=len(tokenizer), max_position_embeddings=window, type_vocab_size=1,
                        pad_token_id=tokenizer.pad_token_id, hidden_dropout_prob=0.1,
                        attention_probs_dropout_prob=0.1, **size, **label_kwargs)
    return tokenizer, BertForTokenClassification(config), window


def _portable(value: Any) -> Any:
    """A path inside the repository written relative to it, so a recipe
    reads the same on every checkout."""
    if isinstance(value, str) and value.startswith(str(REPO_DIR) + "/"):
        return value[len(str(REPO_DIR)) + 1:]
    return value


def train(cfg: TrainConfig, log: Any = sys.stderr, examples: Sequence[Example] | None = None) -> dict[str, Any]:
    """Build the data, train, and save the model to ``cfg.out``.

    examples (Sequence[Example] | None): train on these instead of the gold
        split and the silver articles (tests, experiments).

    RETURNS (dict): the recipe written to ``recipe.json`` (config, data
        fingerprint, steps, seconds, parameters, final loss).
    """
    import torch

    started = time.perf_counter()
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(max(1, cfg.threads))
    rng = random.Random(cfg.seed)
    if examples is not None:
        examples = list(examples)
    else:
        examples = gold_examples(cfg.gold, cfg.split, cfg.splits) if cfg.gold else []
        if cfg.silver:
            examples += list(silver_examples(cfg.silver, cfg.seed))
    if not examples:
        raise ValueError(Errors.E806.format(reason="no gold split and --silver 0"))
    data_seconds = time.perf_counter() - started
    print(f"cbafacts train: {len(examples)} articles ({sum(e.source == 'gold' for e in examples)} gold), "
          f"data in {data_seconds:.0f} s", file=log)
    tokenizer, model, window = build_model(cfg, [e.text for e in examples])
    inner = window - 2
    feats = features(examples, tokenizer, window)
    weights = [cfg.gold_weight if e.source == "gold" else 1 for e in examples]
    per_epoch = math.ceil(len(windows(feats, weights, inner, random.Random(cfg.seed))) / cfg.batch_size)
    total = per_epoch * cfg.epochs if cfg.max_steps is None else min(cfg.max_steps, per_epoch * cfg.epochs)
    total = max(1, total)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=0.01)
    warm = max(1, total // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.02, (total - s) / max(1, total - warm))))
    cls_id, sep_id = tokenizer.cls_token_id, tokenizer.sep_token_id
    pad_id = tokenizer.pad_token_id or 0
    model.train()
    step, loss_avg = 0, None
    for epoch in range(cfg.epochs):
        pieces = windows(feats, weights, inner, rng)
        for b in range(0, len(pieces), cfg.batch_size):
            if step >= total:
                break
            ids, mask, labels = _batch(torch, pieces[b:b + cfg.batch_size], cls_id, sep_id, pad_id)
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            value = float(loss.detach())
            loss_avg = value if loss_avg is None else 0.95 * loss_avg + 0.05 * value
            if step % 50 == 0 or step == total:
                print(f"cbafacts train: epoch {epoch + 1} step {step}/{total} loss {loss_avg:.4f} "
                      f"({time.perf_counter() - started:.0f} s)", file=log)
    model.eval()
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out), safe_serialization=True)
    tokenizer.save_pretrained(str(out))
    seconds = time.perf_counter() - started
    recipe = {
        "config": {k: _portable(v) for k, v in asdict(cfg).items()},
        "window": window,
        "labels": list(LABELS),
        "articles": {"gold": sum(e.source == "gold" for e in examples),
                     "silver": sum(e.source == "silver" for e in examples)},
        "data_sha256": fingerprint(examples),
        "steps": step,
        "final_loss": None if loss_avg is None else round(loss_avg, 5),
        "parameters": sum(p.numel() for p in model.parameters()),
        "seconds": round(seconds, 1),
        "torch": torch.__version__,
    }
    (out / "recipe.json").write_text(json.dumps(recipe, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"cbafacts train: wrote {out} ({step} steps, {seconds:.0f} s)", file=log)
    return recipe


# ---------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------

EPILOG = """examples:
  cbafacts train                                  # the default model, models/cbafacts-tagger-small
  cbafacts train --size tiny --max-steps 50 --silver 20 --out /tmp/tagger
  cbafacts train --base xlm-roberta-base --lr 5e-5 --out models/xlmr-tagger   # needs the hub or a local copy
"""


def _add_arguments(p: argparse.ArgumentParser) -> None:
    d = TrainConfig()
    p.add_argument("--out", default=d.out, metavar="DIR", help="model directory to write (default: %(default)s)")
    p.add_argument("--size", choices=sorted(SIZES), default=d.size, help="from-scratch size (default: %(default)s)")
    p.add_argument("--base", metavar="NAME_OR_PATH",
                   help="fine-tune this pretrained encoder instead (hub name or local directory)")
    p.add_argument("--epochs", type=int, default=d.epochs, help="default: %(default)s")
    p.add_argument("--max-steps", type=int, default=None, help="stop after this many optimizer steps")
    p.add_argument("--seed", type=int, default=d.seed, help="default: %(default)s")
    p.add_argument("--lr", type=float, default=None, help="learning rate (default: 5e-4 from scratch, 5e-5 --base)")
    p.add_argument("--batch-size", type=int, default=d.batch_size, help="default: %(default)s")
    p.add_argument("--window", type=int, default=None, help="tokens per window (default: by size, or 256)")
    p.add_argument("--gold", default=d.gold, metavar="FILE", help="gold JSONL (default: %(default)s); '' for none")
    p.add_argument("--splits", default=None, metavar="FILE", help="split file (default: splits.json next to --gold)")
    p.add_argument("--split", default=d.split, help="gold split to train on (default: %(default)s)")
    p.add_argument("--gold-weight", type=int, default=d.gold_weight, help="gold repeats per epoch (default: %(default)s)")
    p.add_argument("--silver", type=int, default=d.silver, metavar="N",
                   help="synthetic articles labelled by the spaCy path (default: %(default)s)")
    p.add_argument("--threads", type=int, default=d.threads, help="torch threads (default: %(default)s)")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register the ``train`` subcommand.

    subparsers (argparse._SubParsersAction): from ``add_subparsers``.
    RETURNS (argparse.ArgumentParser): the subcommand's parser (``func`` set).
    """
    p = subparsers.add_parser(
        "train", help="train the transformer tagger",
        description="Train the transformer tagger (backend 'transformer') on gold dev articles and "
                    "silver synthetic articles labelled by the spaCy path; seeded and rebuildable.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_arguments(p)
    p.set_defaults(func=cmd_train)
    return p


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    lr = args.lr if args.lr is not None else (5e-5 if args.base else 5e-4)
    return TrainConfig(out=args.out, size=args.size, base=args.base, epochs=args.epochs, max_steps=args.max_steps,
                       seed=args.seed, lr=lr, batch_size=args.batch_size, window=args.window, gold=args.gold,
                       splits=args.splits, split=args.split, gold_weight=args.gold_weight, silver=args.silver,
                       threads=args.threads)


def cmd_train(args: argparse.Namespace) -> int:
    """Run ``cbafacts train``; 2 on a problem with the inputs."""
    try:
        train(config_from_args(args))
    except (ValueError, FileNotFoundError) as exc:
        print(f"cbafacts train: error: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cbafacts.transformer.train")
    sub = parser.add_subparsers(dest="command")
    add_parser(sub)
    args = parser.parse_args(["train", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
