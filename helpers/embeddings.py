"""Word vectors: the article's toy table and a shipped subset of real GloVe vectors (introduced in notebook 01).

GloVe 6B 50d: Jeffrey Pennington, Richard Socher and Christopher D. Manning (Stanford NLP, 2014),
under the Open Data Commons Public Domain Dedication and License (PDDL) 1.0. The repo ships the
20,000 most frequent words as float16 (``helpers/data``), made by ``scripts/make_glove_subset.py``.
"""

from __future__ import annotations

import difflib
import numbers
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .attention import cosine_similarity
from .checks import as_float_array

DATA = Path(__file__).resolve().parent / "data"
GLOVE_VECTORS = DATA / "glove_6b_50d_top20k_f16.npy"
GLOVE_WORDS = DATA / "glove_6b_50d_top20k_words.txt"

# The toy table: 4 hand-made features, so every number can be read.
TOY_FEATURES = ("finance", "nature", "growth", "place")
TOY_TABLE = {
    "money": (0.9, 0.0, 0.3, 0.1),
    "bank": (0.6, 0.2, 0.1, 0.7),  # the article's vector for bank
    "grows": (0.4, 0.3, 0.8, 0.0),
    "river": (0.0, 0.9, 0.2, 0.5),
    "flows": (0.1, 0.7, 0.8, 0.0),
    "cash": (0.9, 0.0, 0.1, 0.2),
    "water": (0.0, 0.9, 0.3, 0.1),
    "the": (0.1, 0.1, 0.1, 0.1),
}


class UnknownWordError(ValueError):
    """A word that is not in the vocabulary; .suggestions holds close words."""

    def __init__(self, word: str, suggestions: list[str]):
        self.word = word
        self.suggestions = suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"'{word}' is not in the vocabulary.{hint}")


def normalize(text: str) -> str:
    """Lower case, compatibility forms folded (fullwidth letters), accents and invisible format characters (a
    zero-width space inside "bank") dropped, as the model's tokenizer does. str -> str"""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) not in ("Mn", "Cf"))


def tokenize(sentence: str) -> list[str]:
    """Lower-case words of a sentence (letters, digits, inner apostrophes), accents stripped: "résumé" -> resume.
    str -> [str]"""
    if not isinstance(sentence, str):
        raise TypeError(f"the sentence must be text (str), got {type(sentence).__name__}.")
    words = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", normalize(sentence))
    if not words:
        if any(
            unicodedata.category(c)[0] not in "PZC" for c in sentence
        ):  # something other than spaces and punctuation
            raise ValueError(
                "no English words found: the vocabulary holds English words in Latin letters (a to z) and digits."
            )
        raise ValueError("the sentence is empty: type at least one word.")
    return words


@dataclass(frozen=True)
class WordVectors:
    """A vocabulary and its vectors: words (V,), vectors (V, d)."""

    words: tuple
    vectors: np.ndarray
    index: dict = field(repr=False, compare=False)

    @classmethod
    def from_table(cls, table: dict) -> WordVectors:
        """A dict word -> vector. {str: (d,)} -> WordVectors"""
        words = tuple(table)
        lengths = {len(table[w]) for w in words}
        if len(lengths) != 1:
            raise ValueError(f"every vector of the table must have the same length, got lengths {sorted(lengths)}.")
        vectors = as_float_array([table[w] for w in words], "the table's vectors", min_ndim=2)
        return cls(words, vectors, {w: i for i, w in enumerate(words)})

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    def __contains__(self, word) -> bool:
        return word in self.index

    def suggest(self, word: str, k: int = 3) -> list[str]:
        """Close spellings from the vocabulary. str -> [str]"""
        return difflib.get_close_matches(normalize(_word(word)), self.words, n=_count(k), cutoff=0.6)

    def vector(self, word: str) -> np.ndarray:
        """The static vector of one word (a copy). str -> (d,)"""
        i = self.index.get(normalize(_word(word)).strip())
        if i is None:
            raise UnknownWordError(word, self.suggest(word))
        return self.vectors[i].copy()

    def embed(self, sentence) -> tuple[list[str], np.ndarray]:
        """Words of a sentence and their stacked static vectors. str or [str] -> ([str], (n, d))"""
        if isinstance(sentence, str):
            words = tokenize(sentence)
        elif isinstance(sentence, list | tuple):
            words = [normalize(_word(w)).strip() for w in sentence]
        else:
            raise TypeError(f"give a sentence as text (str) or a list of words, got {type(sentence).__name__}.")
        if not words:
            raise ValueError("the sentence is empty: type at least one word.")
        return words, np.stack([self.vector(w) for w in words])

    def nearest(self, word: str, k: int = 8) -> list[tuple[str, float]]:
        """The k words with the highest cosine to word (itself excluded). str -> [(str, float)]"""
        k = _count(k)
        v = self.vector(word)
        cos = cosine_similarity(self.vectors, v[None, :])[:, 0]
        cos[self.index[normalize(word).strip()]] = -np.inf
        best = np.argsort(-cos, kind="stable")[:k]
        return [(self.words[i], float(cos[i])) for i in best]


def _word(word) -> str:
    if not isinstance(word, str):
        raise TypeError(f"a word must be text (str), got {word!r} ({type(word).__name__}).")
    return word


def _count(k) -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f"k must be a whole number, got {k!r}.")
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}.")
    return int(k)


def toy_vectors() -> WordVectors:
    """The article's 4-feature toy table. () -> WordVectors (V, 4)"""
    return WordVectors.from_table(TOY_TABLE)


def load_glove() -> WordVectors:
    """The shipped GloVe 6B 50d subset (20,000 words), as float32. () -> WordVectors (20000, 50)"""
    if not GLOVE_VECTORS.exists() or not GLOVE_WORDS.exists():
        raise FileNotFoundError(
            f"the GloVe subset is missing from {DATA}; rebuild it with scripts/make_glove_subset.py"
        )
    words = tuple(GLOVE_WORDS.read_text(encoding="utf-8").splitlines())
    vectors = np.load(GLOVE_VECTORS, allow_pickle=False).astype(np.float32)
    if vectors.shape != (len(words), 50):
        raise ValueError(f"the GloVe subset is inconsistent: {len(words)} words but vectors {vectors.shape}")
    return WordVectors(words, vectors, {w: i for i, w in enumerate(words)})
