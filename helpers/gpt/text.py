"""The text the tiny GPT learns from, and its characters as tokens.

*Botchan* by Natsume Soseki, translated by Yasotaro Morri (1919), from Project Gutenberg eBook #8868
(public domain in the USA), as shipped in ``sentencepiece``'s source distribution 0.2.3 on PyPI at
``test/botchan.txt`` (sha256 464bd530...227ba7). ``scripts/make_botchan_text.py`` strips the Project
Gutenberg header and footer and writes ``helpers/data/botchan.txt``; ``load_text`` checks its sha256.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..files import verify

TEXT = Path(__file__).resolve().parents[1] / "data" / "botchan.txt"
TEXT_SHA256 = "777cdd61e668a6617f481873ca8af4b332cef43bef005f9e9ee69c089b40890d"
RESTORE = "Restore it with git (git checkout helpers/data/botchan.txt) or run: python scripts/make_botchan_text.py"


def load_text(path: Path = TEXT) -> str:
    """Botchan without the Project Gutenberg header and footer, checked by sha256. () -> str"""
    verify(Path(path), TEXT_SHA256, RESTORE)
    return Path(path).read_text(encoding="utf-8")


def split_text(text: str, train_fraction: float = 0.9) -> tuple[str, str]:
    """The first train_fraction of the characters to train on, the rest to validate. str -> (str, str)"""
    if not isinstance(text, str) or len(text) < 2:
        raise ValueError("the text must be a string of at least two characters.")
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must be between 0 and 1, got {train_fraction}.")
    cut = int(len(text) * train_fraction)
    return text[:cut], text[cut:]


class CharTokenizer:
    """Characters as tokens: every distinct character of a text gets an id, in sorted order."""

    def __init__(self, vocab: str):
        if not isinstance(vocab, str) or not vocab or len(set(vocab)) != len(vocab):
            raise ValueError("the vocabulary must be a non-empty string of distinct characters.")
        self.vocab = vocab
        self.ids = {c: i for i, c in enumerate(vocab)}

    @classmethod
    def from_text(cls, text: str) -> CharTokenizer:
        """The tokenizer whose vocabulary is the text's distinct characters. str -> CharTokenizer"""
        return cls("".join(sorted(set(text))))

    def __len__(self) -> int:
        return len(self.vocab)

    def encode(self, text: str) -> np.ndarray:
        """One id per character; a character outside the vocabulary is an error that names it. str -> (n,)"""
        if not isinstance(text, str):
            raise TypeError(f"encode takes text (str), got {type(text).__name__}.")
        unknown = sorted({c for c in text if c not in self.ids})
        if unknown:
            shown = ", ".join(repr(c) for c in unknown[:5])
            raise ValueError(
                f"{shown} {'is' if len(unknown) == 1 else 'are'} not in the vocabulary of {len(self)} characters."
            )
        return np.array([self.ids[c] for c in text], dtype=np.int64)

    def decode(self, ids) -> str:
        """The characters of the ids. (n,) -> str"""
        arr = np.asarray(ids)
        if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
            raise TypeError(
                f"decode takes a 1-D array of whole numbers (token ids), got shape {arr.shape}, dtype {arr.dtype}."
            )
        if arr.size and (arr.min() < 0 or arr.max() >= len(self)):
            bad = int(arr[(arr < 0) | (arr >= len(self))][0])
            raise ValueError(f"token id {bad} is not in the vocabulary (0 to {len(self) - 1}).")
        return "".join(self.vocab[i] for i in arr)
