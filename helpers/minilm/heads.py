"""What the model's heads do: where each token looks, each head's type, and heads switched off.

Layers and heads are counted from 0 everywhere (text, pictures, arguments), as the arrays index them.
"""

from __future__ import annotations

import numpy as np

from ..attention import cosine_similarity, entropy, padding_mask, previous_token_share
from .encoder import Encoding

# notebook 12's sentences: both senses of bank, and words that repeat
HEAD_SENTENCES = (
    "i deposited cash at the bank",
    "the bank approved my loan",
    "he withdrew money from the bank",
    "we sat on the river bank",
    "the boat drifted to the muddy bank",
    "fish swim near the grassy bank",
    "the cat saw the other cat",
    "a dog met a dog",
)
# the two sentences whose banks notebooks 11 and 12 compare
BANK_PAIR = ("i deposited cash at the bank", "we sat on the river bank")


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
    return previous_token_share(enc.attentions)


HEAD_TYPES = ("previous", "next", "self", "sink", "broad", "same word")


def head_profile(encodings) -> dict:
    """For each layer and head, the mean attention to: the previous token, the next, itself, [CLS]/[SEP] (a sink), the
    same word elsewhere; and how broad it is (entropy / log n).
    [Encoding] -> {type: (n_layers, n_heads)}"""
    encodings = list(encodings)
    if not encodings:
        raise ValueError("give at least one encoded sentence.")
    sums = {t: [] for t in HEAD_TYPES}
    for enc in encodings:
        A = enc.attentions.astype(np.float64)  # (L, H, n, n)
        n = A.shape[-1]
        rows = np.arange(1, n - 1)  # the words, without [CLS] and [SEP]
        sums["previous"].append(previous_token_share(A, first=1, last=n - 1))
        sums["next"].append(A[..., rows, rows + 1].mean(-1))
        sums["self"].append(A[..., rows, rows].mean(-1))
        special = [i for i, t in enumerate(enc.tokens) if t in ("[CLS]", "[SEP]")]
        sums["sink"].append(A[..., rows, :][..., special].sum(-1).mean(-1))
        sums["broad"].append(entropy(A)[..., rows].mean(-1) / np.log(n))
        same = np.zeros(A.shape[:2])
        pairs = [(i, j) for i in rows for j in rows if i != j and enc.tokens[i] == enc.tokens[j]]
        if pairs:
            same = np.mean([A[..., i, j] for i, j in pairs], axis=0)
            sums["same word"].append(same)
    return {t: np.mean(v, axis=0) if v else np.zeros(encodings[0].attentions.shape[:2]) for t, v in sums.items()}


PATTERNS = ("previous", "next", "self", "sink", "same word")


def head_types(profile: dict, decisive: float = 0.4, broad: float = 0.75) -> tuple:
    """Each head's type: the pattern with the largest share if it reaches `decisive`; else "broad" if its entropy is at
    least `broad` of the maximum; else "mixed".
    {type: (L, H)} -> ((L, H) type, (L, H) the share that decided it)"""
    stacked = np.stack([profile[t] for t in PATTERNS])  # (patterns, L, H)
    best, share = stacked.argmax(axis=0), stacked.max(axis=0)
    types = np.array(PATTERNS, dtype=object)[best]
    is_broad = (share < decisive) & (profile["broad"] >= broad)
    types[is_broad] = "broad"
    types[(share < decisive) & ~is_broad] = "mixed"
    return types.astype(str), np.where(is_broad, profile["broad"], share)


def ablation_sweep(model, sentences, heads) -> tuple:
    """The sentences' last-layer vectors with each head in turn switched off; a head of layer l changes layers l and
    after only, so each run starts from the unchanged input of layer l.
    [str], [(l, h)] -> ([Encoding] unchanged, (len(heads), batch, n, d_model))"""
    plain = model.encode_batch(list(sentences))
    lengths = [len(e.tokens) for e in plain]
    n = max(lengths)
    hidden = np.zeros((model.config.n_layers + 1, len(plain), n, model.config.d_model), dtype=np.float32)
    for i, e in enumerate(plain):
        hidden[:, i, : lengths[i]] = e.hidden_states
    mask = padding_mask(lengths, n)[:, None]
    last = []
    for layer, head in heads:
        gains = model.head_gains([(layer, head)])
        h, _ = model.run_layers(hidden[layer], mask, layer, gains)
        last.append(h[-1])
    return plain, np.stack(last) if last else np.zeros((0, len(plain), n, model.config.d_model))


def bank_cosine_without(model, sentences, token: str, heads) -> np.ndarray:
    """The last-layer cosine of `token` in two sentences with each head in turn switched off.
    [str, str], [(l, h)] -> (len(heads),)"""
    if len(sentences) != 2:
        raise ValueError("give two sentences, e.g. a money bank and a river bank.")
    plain, last = ablation_sweep(model, sentences, heads)
    i, j = (token_index(e, token) for e in plain)
    return cosine_similarity(last[:, 0, i][:, None], last[:, 1, j][:, None])[:, 0, 0].astype(np.float64)
