"""The transformer tagger (backend "transformer"): labels, windows, offsets,
the shared claim model, loading, training. A tiny model is trained in the
module fixture (seconds); the shipped model is checked when present."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from cbafacts.backends import BACKENDS  # noqa: E402
from cbafacts.numbers import parse  # noqa: E402
from cbafacts.transformer.annotate import spans_from_claims  # noqa: E402
from cbafacts.transformer.backend import DEFAULT_MODEL, TransformerBackend, claims_from_spans  # noqa: E402
from cbafacts.transformer.labels import ID2LABEL, IGNORE, LABEL2ID, decode, token_labels  # noqa: E402
from cbafacts.transformer.silver import Example  # noqa: E402
from cbafacts.transformer.tagger import REQUIRED_FILES, Tagger  # noqa: E402
from cbafacts.transformer.tokenizer import build_tokenizer  # noqa: E402
from cbafacts.transformer.train import TrainConfig, train  # noqa: E402

ZH = "２０２４年，接通率为９４．１８％，较上年提升1.3个百分点。"
ID = "Pada akhir tahun 2023, terdapat 41,700 petugas layanan pelanggan, turun 4,79% dari tahun sebelumnya."
KO = "2024년 말 기준 37개 은행이 원격은행센터로 명칭을 변경했으며, 이는 조사 대상의 44%에 해당한다."
EN = "In 2024, 37 banks renamed their centers, 44% of those surveyed, a 4% increase from 2023."
TEXTS = {"zh": ZH, "id": ID, "ko": KO, "en": EN}


def _examples() -> list[Example]:
    from cbafacts.backends import SpacyBackend

    sb = SpacyBackend()
    out = []
    for lang, text in TEXTS.items():
        claims, _ = sb.claims(text, lang)
        out.append(Example(lang, lang, text, tuple(spans_from_claims(text, lang, claims)), "gold"))
    return out


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    return _examples()


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory, examples) -> Path:
    out = tmp_path_factory.mktemp("tagger") / "tiny"
    cfg = TrainConfig(out=str(out), size="tiny", epochs=400, max_steps=160, seed=3, lr=3e-3, batch_size=8,
                      window=48, gold="", silver=0, gold_weight=2, threads=1)
    train(cfg, log=open("/dev/null", "w"), examples=examples)
    return out


@pytest.fixture(scope="module")
def backend(tiny_model) -> TransformerBackend:
    return TransformerBackend(model=str(tiny_model))


# -- labels and offsets -------------------------------------------------------

def test_token_labels_and_decode_round_trip_on_full_width_text():
    tok = build_tokenizer([ZH])
    spans = [("PERIOD", 0, 4), ("NUM", 10, 16), ("CHANGE", 20, 22), ("NUM", 22, 29)]
    enc = tok(ZH, add_special_tokens=True, return_offsets_mapping=True)
    labels = token_labels(spans, enc["offset_mapping"])
    assert labels[0] == labels[-1] == IGNORE  # [CLS], [SEP]
    assert [ID2LABEL[x] for x in labels[11:13]] == ["B-NUM", "I-NUM"]
    back = decode([ID2LABEL.get(x, "O") for x in labels], enc["offset_mapping"], ZH)
    assert back == spans
    assert ZH[10:16] == "９４．１８％"


def test_char_tokenizer_offsets_are_code_points_in_every_script():
    tok = build_tokenizer([])
    for text in TEXTS.values():
        enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
        assert [text[a:b] for a, b in enc["offset_mapping"]] == list(text)
        assert tok.unk_token_id not in enc["input_ids"]


# -- windows: a stub model that tags every number character -------------------

class _DigitOracle(torch.nn.Module):
    """Context-free: marks every digit, separator and % as I-NUM."""

    def __init__(self, tokenizer, window: int) -> None:
        super().__init__()
        vocab = tokenizer.get_vocab()
        num = {i for t, i in vocab.items() if len(t) == 1 and (t.isdigit() or t in ".,%")}
        self.table = torch.tensor([LABEL2ID["I-NUM"] if i in num else 0 for i in range(len(vocab))])
        self.config = transformers.BertConfig(max_position_embeddings=window, id2label=dict(ID2LABEL),
                                              label2id=dict(LABEL2ID))

    def forward(self, input_ids, attention_mask=None):
        logits = torch.nn.functional.one_hot(self.table[input_ids], len(ID2LABEL)).float()
        return transformers.modeling_outputs.TokenClassifierOutput(logits=logits)


def test_window_cut_through_a_number_gives_the_whole_number_once():
    text = "Laporan itu menyebut bahwa terdapat 41,700 petugas, turun 4,79% dari tahun sebelumnya."
    tok = build_tokenizer([text])
    n = text.index("41,700")
    for window in (10, 12, 16, 24):
        tagger = Tagger(tok, _DigitOracle(tok, window), window=window, overlap=4)
        spans = tagger.tag([text])[0]
        assert ("NUM", n, n + 6) in spans, (window, spans)
        claims = claims_from_spans(text, "id", spans)
        assert [c.text for c in claims] == ["41,700", "4,79%"]
        assert [c.value for c in claims] == [41700.0, 4.79]


def test_overlap_merge_is_the_same_for_any_window_and_batch():
    text = (ID + " ") * 7
    tok = build_tokenizer([text])
    ref = Tagger(tok, _DigitOracle(tok, 512), window=512).tag([text])
    for window, overlap, bs in ((20, 3, 1), (33, 10, 4), (64, 0, 16)):
        assert Tagger(tok, _DigitOracle(tok, window), window=window, overlap=overlap, batch_size=bs).tag([text]) == ref


# -- the trained tiny model ---------------------------------------------------

def test_model_dir_loads_with_safetensors_and_no_remote_code(tiny_model):
    names = {p.name for p in tiny_model.iterdir()}
    assert set(REQUIRED_FILES) <= names and not {"pytorch_model.bin", "tokenizer.py"} & names
    tok = transformers.AutoTokenizer.from_pretrained(str(tiny_model), trust_remote_code=False)
    model = transformers.AutoModelForTokenClassification.from_pretrained(
        str(tiny_model), trust_remote_code=False, use_safetensors=True)
    assert tok.is_fast and model.config.id2label[1] == "B-NUM"


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_claims_offsets_exact_and_values_from_numbers_parse(backend, lang):
    text = TEXTS[lang]
    claims, _ = backend.claims(text, lang)
    assert claims, backend.spans([text])
    mentions = {(m.start, m.end): m for m in parse(text, lang)}
    for c in claims:
        assert text[c.start:c.end] == c.text
        m = mentions[(c.start, c.end)]  # the span read by cbafacts.numbers
        assert (c.value, c.precision) == (m.value, m.precision)
        assert c.unit == {"percent": "percent", "pp": "pp"}.get(m.unit or "", "count")


def test_backend_goes_through_the_shared_linker_and_resolver(backend):
    from cbafacts.backends import SpacyBackend

    claims, _ = backend.claims(EN, "en")
    by_text = {c.text: c for c in claims}
    assert (by_text["44%"].metric, by_text["44%"].period) == ("remote_banking.renamed_share", "2024")
    change = by_text["4%"]
    assert (change.kind, change.direction, change.baseline) == ("change", "up", "2023")
    claims, _ = backend.claims(ZH, "zh")
    by_text = {c.text: c for c in claims}
    assert by_text["９４．１８％"].value == 94.18
    assert by_text["1.3个百分点"].metric == by_text["９４．１８％"].metric == "service.call_answer_rate"
    # where both backends find the same figure, everything downstream agrees
    for lang, text in TEXTS.items():
        rule = {(c.start, c.end): c for c in SpacyBackend().claims(text, lang)[0]}
        for c in backend.claims(text, lang)[0]:
            if (c.start, c.end) in rule and c.kind == rule[(c.start, c.end)].kind:
                assert c == rule[(c.start, c.end)]


def test_extractor_routes_to_the_registered_backend(tiny_model, monkeypatch):
    import cbafacts

    assert "transformer" in BACKENDS.get_all()
    monkeypatch.setenv("CBAFACTS_TAGGER_MODEL", str(tiny_model))
    res = cbafacts.Extractor(backend="transformer").extract(ID, id="x", lang="id")
    assert res.error is None and res.backend == "transformer"
    assert all(res.text[c.start:c.end] == c.text for c in res.claims)


def test_same_input_same_output(backend, tiny_model):
    texts = list(TEXTS.values())
    first = [backend.claims(t, lang) for lang, t in TEXTS.items()]
    again = TransformerBackend(model=str(tiny_model), batch_size=1)
    assert [again.claims(t, lang) for lang, t in TEXTS.items()] == first
    assert backend.spans(texts) == [backend.spans([t])[0] for t in texts]


def test_training_is_deterministic(tmp_path, examples):
    weights = []
    for name in ("a", "b"):
        cfg = TrainConfig(out=str(tmp_path / name), size="tiny", epochs=1, max_steps=3, seed=5, batch_size=4,
                          window=32, gold="", silver=0, threads=1)
        recipe = train(cfg, log=open("/dev/null", "w"), examples=examples)
        weights.append((recipe["data_sha256"], (tmp_path / name / "model.safetensors").read_bytes()))
    assert weights[0] == weights[1]


# -- errors -------------------------------------------------------------------

@pytest.mark.parametrize("missing", ["model.safetensors", "tokenizer.json", "config.json"])
def test_model_dir_missing_files_is_a_coded_error(tiny_model, tmp_path, missing, monkeypatch):
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    (broken / missing).unlink()
    with pytest.raises(FileNotFoundError, match=rf"\[E802\].*{missing}"):
        TransformerBackend(model=str(broken))
    import cbafacts

    monkeypatch.setenv("CBAFACTS_TAGGER_MODEL", str(broken))
    res = cbafacts.Extractor(backend="transformer").extract(ID, id="x", lang="id")
    assert res.error is not None and "[E802]" in res.error.message and "Traceback" not in res.error.message


def test_no_model_dir_is_a_coded_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"\[E801\]"):
        TransformerBackend(model=str(tmp_path / "nowhere"))


# -- --base: a pretrained-style encoder with a subword tokenizer ---------------

def test_fine_tune_from_a_local_pretrained_subword_encoder(tmp_path, examples):
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    raw = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    raw.normalizer = normalizers.NFKC()
    raw.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    raw.train_from_iterator([e.text for e in examples], trainers.WordPieceTrainer(
        vocab_size=300, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]))
    raw.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", raw.token_to_id("[CLS]")), ("[SEP]", raw.token_to_id("[SEP]"))])
    base = tmp_path / "base"
    PreTrainedTokenizerFast(tokenizer_object=raw, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
                            sep_token="[SEP]", mask_token="[MASK]").save_pretrained(str(base))
    BertModel(BertConfig(vocab_size=raw.get_vocab_size(), hidden_size=32, num_hidden_layers=1,
                         num_attention_heads=2, intermediate_size=64, max_position_embeddings=128)
              ).save_pretrained(str(base))
    # labels through subword offsets: every span keeps its first token as B-
    tok = transformers.AutoTokenizer.from_pretrained(str(base))
    ex = examples[1]
    enc = tok(ex.text, return_offsets_mapping=True)
    back = decode([ID2LABEL.get(x, "O") for x in token_labels(ex.spans, enc["offset_mapping"])],
                  enc["offset_mapping"], ex.text)
    assert [s[0] for s in back] == [s[0] for s in ex.spans]
    out = tmp_path / "tuned"
    train(TrainConfig(out=str(out), base=str(base), max_steps=2, batch_size=2, window=64, gold="", silver=0,
                      lr=1e-4), log=open("/dev/null", "w"), examples=examples)
    spans = Tagger.load(out).tag([ID])
    assert isinstance(spans[0], list)


# -- the shipped model ----------------------------------------------------------

@pytest.mark.skipif(not (DEFAULT_MODEL / "model.safetensors").is_file(), reason="no trained model in models/")
def test_shipped_model_finds_claims_with_exact_offsets():
    b = TransformerBackend()
    assert b.model_dir == DEFAULT_MODEL
    assert sum((DEFAULT_MODEL / f).stat().st_size for f in REQUIRED_FILES) < 30 * 2**20
    for lang, text in TEXTS.items():
        claims, _ = b.claims(text, lang)
        assert all(text[c.start:c.end] == c.text for c in claims)
    assert {c.text for c in b.claims(ID, "id")[0]} >= {"41,700", "4,79%"}


def test_model_dir_from_argument_env_routing_table_then_default(tmp_path, monkeypatch):
    from cbafacts.transformer.backend import REPO_DIR, resolve_model_dir

    monkeypatch.delenv("CBAFACTS_TAGGER_MODEL", raising=False)
    table = tmp_path / "routing.yaml"
    table.write_text("default: spacy\ntransformer_model: models/other\n", encoding="utf-8")
    assert resolve_model_dir(routing=table) == REPO_DIR / "models" / "other"
    assert resolve_model_dir() == DEFAULT_MODEL  # the packaged table names the default
    monkeypatch.setenv("CBAFACTS_TAGGER_MODEL", str(tmp_path))
    assert resolve_model_dir(routing=table) == tmp_path
    assert resolve_model_dir("x/y", routing=table) == Path("x/y")


# -- the command line: train, then evaluate with the new model ------------------

def test_cli_train_then_evaluate_transformer_per_language(tmp_path):
    import json
    import os
    import subprocess
    import sys

    out = tmp_path / "model"
    env = dict(os.environ, CBAFACTS_TAGGER_MODEL=str(out))
    cmd = [sys.executable, "-m", "cbafacts"]
    done = subprocess.run([*cmd, "train", "--size", "tiny", "--max-steps", "3", "--silver", "2", "--seed", "1",
                           "--out", str(out)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert set(REQUIRED_FILES) <= {p.name for p in out.iterdir()}
    recipe = json.loads((out / "recipe.json").read_text(encoding="utf-8"))
    assert recipe["articles"]["silver"] == 2 and recipe["articles"]["gold"] > 0 and recipe["steps"] == 3
    report = tmp_path / "eval.json"
    done = subprocess.run([*cmd, "evaluate", "--split", "test", "--backend", "transformer", "--json", str(report)],
                          capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    facts = json.loads(report.read_text(encoding="utf-8"))["facts"]
    assert list(facts["by_backend"]) == ["transformer"]
    assert {"en", "id", "zh", "ja", "ko", "fr", "de", "es", "pt", "ru", "it", "ms"} <= set(facts["by_lang"])
    assert "lang ja" in done.stdout and "backend transformer" in done.stdout


def test_cli_train_reports_bad_input_without_traceback(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "cbafacts", "train", "--gold", "", "--silver", "0",
                           "--out", str(tmp_path / "m")], capture_output=True, text=True)
    assert done.returncode == 2
    assert "[E806]" in done.stderr and "Traceback" not in done.stderr
