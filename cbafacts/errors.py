"""Coded error and warning messages (spaCy's ``ErrorsWithCodes`` pattern).

``Errors.E101`` renders as ``"[E101] ..."`` so a message can be searched for.
"""
from __future__ import annotations


class ErrorsWithCodes(type):
    def __getattribute__(self, code: str) -> str:
        msg = super().__getattribute__(code)
        if code.startswith("__"):
            return msg
        return f"[{code}] {msg}"


class Errors(metaclass=ErrorsWithCodes):
    # number data (cbafacts/lang/<code>/numbers.yaml)
    E101 = "Value {value!r} in {where} is not a number."
    E102 = "Scale word {word!r} = {value} in {source} is not a power of ten above 1."
    E103 = "Qualifier {q!r} for {phrase!r} in {source} is not one of {allowed}."
    E104 = "Separator {sep!r} in {source} is both the decimal and a group separator."
    # ontology (cbafacts/ontology/metrics.yaml)
    E201 = "Ontology {source}: metric {id!r} appears twice."
    E202 = "Ontology {source}: metric {id!r} has unknown unit {unit!r}; expected one of {allowed}."
    E203 = "Ontology {source}: alias {alias!r} ({lang}) is on both {a!r} and {b!r}."
    E204 = "Ontology {source}: metric {id!r} names parent {parent!r}, which is not defined."
    E205 = "Ontology {source}: metric {id!r} has an invalid range {range!r}; expected [low, high] with low <= high."
    E206 = "Ontology {source}: entry {index} is missing {field!r}."
    E207 = "Ontology {source}: percent metric {id!r} has range {range!r} outside 0-100."
    E208 = ("Ontology {source}: context alias {alias!r} ({lang}) of {b!r} is also {kind} of {a!r}; a context "
            "alias names one metric and is no alias.")
    # cues (cbafacts/lang/<code>/cues.yaml)
    E301 = "Cue file {source}: {field!r} must be {expected}."
    # routing
    E401 = "Routing table {source}: backend {backend!r} for {lang!r} is not registered; known: {known}."
    E402 = "Unknown backend {backend!r}; known: {known}."
    # extraction
    E501 = "Input {path!r} does not exist."
    E502 = "--resume needs an output file (-o OUT.jsonl), not stdout."
    E503 = "--workers must be 1 or more, not {n}."
    E504 = "Engine {engine!r} is not known; use 'local' or 'dask'."
    E505 = "The dask engine needs the 'dask' extra: pip install 'cbafacts[dask]' ({error})."
    E506 = "The dask engine writes partitions into a directory: give -o DIR ({path!r} is a file)."
    # fact store (DuckDB)
    E701 = "Fact store {path!r} does not exist."
    E702 = "Cannot open fact store {path!r}: {error}"
    E703 = "{path!r} is not a cbafacts fact store of schema version 1 (found: {found})."
    # evaluation (cbafacts/evaluate.py)
    E601 = "Gold file {path!r} does not exist (build it with: python corpus/build_gold.py)."
    E602 = "Gold file {path}, line {line}: {reason}."
    E603 = ("--split {split} needs a split file, and {path!r} does not exist; write "
            "{{\"dev\": [ids], \"test\": [ids]}} there or pass --splits FILE.")
    E604 = "Split file {path}: {reason}."
    E605 = "Split {split!r} of {path} names {n} article(s) not in the gold file: {ids}."
    E606 = "Predictions file {path}, line {line}: {reason}."
    E607 = "Predictions file {path!r} does not exist."
    E608 = "Plots need matplotlib; install the 'eval' extra: pip install -e '.[eval]'."
    # transformer tagger (cbafacts/transformer/)
    E801 = ("Tagger model directory {path!r} does not exist; train one with `cbafacts train --out DIR` "
            "(or `python -m cbafacts.transformer.train`), or point {env} / routing.yaml "
            "`transformer_model` at one.")
    E802 = "Tagger model directory {path!r} is missing {missing}; expected {expected}."
    E803 = "Tagger model {path!r} cannot be loaded: {error}"
    E804 = "Tagger model {path!r} has labels {found}; this version needs a BIO scheme over {expected}."
    E805 = "The transformer backend needs the 'transformer' extra (torch, transformers): {error}"
    E806 = "Training data is empty: {reason}."
    E807 = "Base model {base!r} cannot be loaded (local directory or hub name; no remote code): {error}"


class Warnings(metaclass=ErrorsWithCodes):
    W101 = "Language {lang!r} has no number data; using the fallback digits-only reader."
