"""Byte-level BPE, GPT-2's tokenizer as SmolLM2 uses it: text -> UTF-8 bytes -> pieces -> merges -> ids.

1. Special tokens typed in the text (``<|im_start|>``, ...) are cut out first and become their own ids.
2. The rest is split into pieces: every digit alone (SmolLM2's rule), then GPT-2's pattern (a word with the
   space before it, a run of digits, a run of punctuation, a run of spaces).
3. Each piece's UTF-8 bytes are written as 256 printable characters (a space is ``Ġ``, a newline ``Ċ``).
4. Merges are applied in rank order: the adjacent pair learned first is joined first, until no pair is a merge.
5. Each resulting string is looked up in the vocabulary.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import regex

# GPT-2's pre-tokenizer pattern (\p{L}: any letter, \p{N}: any digit or number sign, \s: any space)
PATTERN = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")
DIGIT = regex.compile(r"\p{N}")


@lru_cache(maxsize=1)
def byte_to_char() -> dict:
    """GPT-2's table from each of the 256 bytes to a printable character: printable bytes stand for themselves, the
    others (space, newline, control bytes, ...) get characters from 256 up. -> {int: str}"""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table, extra = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def pre_tokenize(text: str) -> list[str]:
    """Pieces the merges never cross: each digit alone, then GPT-2's pattern within the rest. str -> [str]"""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}.")
    pieces, start = [], 0
    for m in DIGIT.finditer(text):
        pieces += PATTERN.findall(text[start : m.start()])
        pieces.append(m.group())
        start = m.end()
    return pieces + PATTERN.findall(text[start:])


class ByteBPETokenizer:
    """A byte-level BPE tokenizer from a vocabulary (id -> string), its merges in rank order and its special
    tokens. encode: str -> [int]; decode: [int] -> str."""

    def __init__(self, tokens: list, merges: list, special: list):
        if not tokens or len(set(tokens)) != len(tokens):
            raise ValueError("the vocabulary must be a non-empty list of distinct strings.")
        self.tokens = list(tokens)
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        self.ranks = {}
        for rank, merge in enumerate(merges):
            left, _, right = merge.partition(" ")
            if not left or not right or left + right not in self.ids:
                raise ValueError(f"merge {rank} ({merge!r}) does not make a token of the vocabulary.")
            self.ranks[(left, right)] = rank
        self.special = sorted(special, key=len, reverse=True)  # the longest first: none hides another
        missing = [s for s in self.special if s not in self.ids]
        if missing:
            raise ValueError(f"special tokens not in the vocabulary: {missing}.")
        self._split = regex.compile("(" + "|".join(regex.escape(s) for s in self.special) + ")") if special else None
        self._chars = byte_to_char()
        self._bytes = {c: b for b, c in self._chars.items()}
        self._cache = {}

    def __len__(self) -> int:
        return len(self.tokens)

    def merge(self, piece: str) -> list[str]:
        """One piece's bytes as characters, then the best-ranked adjacent pair joined until none is a merge.
        str -> [str]"""
        if not isinstance(piece, str):
            raise TypeError(f"piece must be a str, got {type(piece).__name__}.")
        parts = [self._chars[b] for b in piece.encode("utf-8")]
        while len(parts) > 1:
            pairs = [(self.ranks.get(pair, len(self.ranks)), i) for i, pair in enumerate(itertools.pairwise(parts))]
            rank, i = min(pairs)
            if rank == len(self.ranks):
                break  # no adjacent pair is a merge
            first, second = parts[i], parts[i + 1]
            merged, j = [], 0
            while j < len(parts):  # join every occurrence of this pair, left to right
                if j + 1 < len(parts) and parts[j] == first and parts[j + 1] == second:
                    merged.append(first + second)
                    j += 2
                else:
                    merged.append(parts[j])
                    j += 1
            parts = merged
        return parts

    def _piece_ids(self, piece: str) -> list[int]:
        if piece not in self._cache:
            self._cache[piece] = [self.ids[p] for p in self.merge(piece)]
        return self._cache[piece]

    def encode(self, text: str) -> list[int]:
        """Token ids for a text; special tokens typed in it become their ids, none is added. str -> [int]"""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}.")
        chunks = self._split.split(text) if self._split else [text]
        ids = []
        for k, chunk in enumerate(chunks):
            if k % 2:  # the split's odd chunks are the special tokens it matched
                ids.append(self.ids[chunk])
            elif chunk:
                for piece in pre_tokenize(chunk):
                    ids += self._piece_ids(piece)
        return ids

    def decode(self, ids) -> str:
        """The text of token ids: their characters back to bytes, read as UTF-8 (a cut character shows as the
        replacement character). [int] -> str"""
        out = bytearray()
        for i in ids:
            if isinstance(i, bool) or (not isinstance(i, int) and not hasattr(i, "__index__")):
                raise TypeError(f"token ids must be whole numbers, got {i!r}.")
            i = int(i)
            if not 0 <= i < len(self.tokens):
                raise ValueError(f"token id {i} is not in the vocabulary (0 to {len(self.tokens) - 1}).")
            token = self.tokens[i]
            out += token.encode("utf-8") if token in self.special else bytes(self._bytes[c] for c in token)
        return out.decode("utf-8", errors="replace")

    def pieces(self, ids) -> list[str]:
        """Each id's own text, spaces shown as "␣" and newlines as "⏎", and a token that holds part of a character
        as its bytes, <e6> (for pictures and tables). [int] -> [str]"""
        out = []
        for i in ids:
            self.decode([i])  # checks the id
            token = self.tokens[int(i)]
            raw = token.encode("utf-8") if token in self.special else bytes(self._bytes[c] for c in token)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:  # part of a character: its bytes, the spaces before them kept visible
                lead = len(raw) - len(raw.lstrip(b" "))
                text = " " * lead + "".join(f"<{b:02x}>" for b in raw[lead:])
            out.append(text.replace(" ", "␣").replace("\n", "⏎"))
        return out
