"""The committed tiny GPT: its weights (float32, sha256-checked) and what ``scripts/train_tiny_gpt.py`` recorded."""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ..files import ModelFileError, sha256_file, verify
from .cache import decode, prefill
from .model import GPTConfig, config_of, forward
from .text import CharTokenizer

DATA = Path(__file__).resolve().parents[1] / "data"
WEIGHTS = DATA / "tiny_gpt.npz"
RECORD = DATA / "tiny_gpt.json"
RESTORE = "Restore it with git (git checkout helpers/data/) or retrain: python scripts/train_tiny_gpt.py"


class TinyGPT:
    """A GPT with its characters: .config, .params (what loss_and_grads takes), .encode, .decode, .logits."""

    def __init__(self, params: dict, vocab: str, record: dict | None = None):
        self.config = config_of(params)
        self.params = params
        self.tokenizer = CharTokenizer(vocab)
        if len(self.tokenizer) != self.config.vocab_size:
            raise ModelFileError(
                f"the vocabulary has {len(self.tokenizer)} characters, the weights {self.config.vocab_size}."
            )
        self.record = record or {}

    def encode(self, text: str) -> np.ndarray:
        """Characters -> ids. str -> (n,)"""
        return self.tokenizer.encode(text)

    def decode(self, ids) -> str:
        """Ids -> characters. (n,) -> str"""
        return self.tokenizer.decode(ids)

    def logits(self, ids, ablate=()) -> np.ndarray:
        """The next character's logits after every position of one sequence. (n,) -> (n, vocab)"""
        ids = np.asarray(ids)
        if ids.ndim != 1:
            raise ValueError(f"logits takes one sequence of ids, shape (n,), got {ids.shape}.")
        return forward(self.params, ids, ablate=ablate)[0]

    def prefill(self, ids) -> tuple:
        """The prompt in one pass: its logits and the key/value cache (gpt.prefill). (n,) -> ((n, vocab), KVCache)"""
        return prefill(self.params, ids)

    def decode_step(self, token: int, cache) -> np.ndarray:
        """One new character attending to the cache, which it extends (gpt.decode). () -> (vocab,)"""
        return decode(self.params, token, cache)


def save_tiny_gpt(params: dict, vocab: str, record: dict, weights: Path = WEIGHTS, record_path: Path = RECORD) -> str:
    """Write the weights as float32 .npz and the record, with the weights' sha256, as JSON. -> the sha256

    Each file is written beside its place and then moved there, so an interrupted save leaves the old files whole.
    """
    config = config_of(params)
    weights, record_path = Path(weights), Path(record_path)
    partial = weights.with_name(weights.name + ".partial")
    with open(partial, "wb") as f:
        np.savez(f, **{k: v.astype(np.float32) for k, v in params.items()})
    digest = sha256_file(partial)
    body = {"config": asdict(config), "vocab": vocab, "weights_sha256": digest} | record
    partial_record = record_path.with_name(record_path.name + ".partial")
    partial_record.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
    os.replace(partial, weights)
    os.replace(partial_record, record_path)
    return digest


def load_tiny_gpt(weights: Path = WEIGHTS, record_path: Path = RECORD) -> TinyGPT:
    """The committed model, its weights checked against the sha256 its record holds. () -> TinyGPT"""
    weights, record_path = Path(weights), Path(record_path)
    if not record_path.exists():
        raise ModelFileError(f"{record_path} is missing. {RESTORE}")
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        expected, vocab = record["weights_sha256"], record["vocab"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ModelFileError(f"{record_path} is not the model's record ({exc}). {RESTORE}") from None
    verify(weights, expected, RESTORE)
    try:
        with np.load(weights) as stored:
            params = {k: stored[k] for k in stored.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"{weights} cannot be read ({exc}). {RESTORE}") from None
    try:
        model = TinyGPT(params, vocab, record)
    except ValueError as exc:
        raise ModelFileError(f"{weights} does not hold one model: {exc} {RESTORE}") from None
    if model.config != GPTConfig(**record["config"]):
        raise ModelFileError(
            f"the weights' sizes {model.config} differ from the record's {record['config']}. {RESTORE}"
        )
    return model
