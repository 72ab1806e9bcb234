"""BERT's uncased WordPiece tokenizer, as all-MiniLM-L6-v2 uses it."""

from __future__ import annotations

import re
import unicodedata

import numpy as np

SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
_SPECIAL_SPLIT = re.compile("(" + "|".join(re.escape(t) for t in SPECIAL) + ")")  # case-sensitive, as typed


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return any(
        lo <= cp <= hi
        for lo, hi in (
            (0x4E00, 0x9FFF),
            (0x3400, 0x4DBF),
            (0x20000, 0x2A6DF),
            (0x2A700, 0x2B73F),
            (0x2B740, 0x2B81F),
            (0x2B820, 0x2CEAF),
            (0xF900, 0xFAFF),
            (0x2F800, 0x2FA1F),
        )
    )


class WordPieceTokenizer:
    """BERT's uncased tokenizer: clean, lower-case, strip accents, split punctuation, then WordPiece."""

    def __init__(self, vocab: list, max_tokens: int = 512, max_chars_per_word: int = 100):
        self.vocab = list(vocab)
        self.ids = {tok: i for i, tok in enumerate(self.vocab)}
        for tok in SPECIAL:
            if tok not in self.ids:
                raise ValueError(f"the vocabulary has no {tok} token.")
        self.max_tokens = max_tokens
        self.max_chars = max_chars_per_word

    def basic_tokens(self, text: str) -> list:
        """Words and punctuation marks, lower-cased, accents removed; a special token typed as it is spelled
        ("[CLS]", "[SEP]", ...) stays one token, as Hugging Face's tokenizer keeps it. str -> [str]"""
        if not isinstance(text, str):
            raise TypeError(f"the sentence must be text (str), got {type(text).__name__}.")
        words = []
        for part in _SPECIAL_SPLIT.split(text):
            words += [part] if part in SPECIAL else self._plain_tokens(part)
        return words

    def _plain_tokens(self, text: str) -> list:
        chars = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch).startswith("C") and ch not in "\t\n\r"):
                continue
            if ch in "\t\n\r" or unicodedata.category(ch) == "Zs":
                chars.append(" ")
            elif _is_cjk(cp):
                chars.append(f" {ch} ")
            else:
                chars.append(ch)
        words = []
        for word in "".join(chars).lower().split():
            word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
            piece = ""
            for ch in word:
                if _is_punctuation(ch):
                    if piece:
                        words.append(piece)
                    words.append(ch)
                    piece = ""
                else:
                    piece += ch
            if piece:
                words.append(piece)
        return words

    def wordpiece(self, word: str) -> list:
        """Greedy longest-match-first pieces of one word; [UNK] if it cannot be split. str -> [str]"""
        if not isinstance(word, str):
            raise TypeError(f"a word must be text (str), got {type(word).__name__}.")
        if len(word) > self.max_chars:
            return ["[UNK]"]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                candidate = word[start:end] if start == 0 else "##" + word[start:end]
                if candidate in self.ids:
                    break
                end -= 1
            if end == start:
                return ["[UNK]"]
            pieces.append(candidate)
            start = end
        return pieces

    def tokenize(self, text: str) -> list:
        """[CLS], the word pieces, [SEP]. str -> [str]"""
        pieces = [p for w in self.basic_tokens(text) for p in self.wordpiece(w)]
        if not pieces:
            raise ValueError("the sentence is empty: type at least one word.")
        if len(pieces) + 2 > self.max_tokens:
            raise ValueError(
                f"the sentence has {len(pieces)} word pieces; the model takes at most {self.max_tokens - 2}."
            )
        return ["[CLS]", *pieces, "[SEP]"]

    def encode(self, text: str) -> tuple:
        """Tokens and their vocabulary ids. str -> ([str], (n,))"""
        tokens = self.tokenize(text)
        return tokens, np.array([self.ids[t] for t in tokens])
