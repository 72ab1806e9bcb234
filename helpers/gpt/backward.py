"""The tiny GPT's backward pass, every layer written out: the loss's gradient for every parameter (with or
without the MLPs).

Each step undoes one line of ``model.block`` and ``model.forward``, in reverse: the tied output and the final
LayerNorm, then per block the MLP (linear, GELU, linear), its LayerNorm and residual, the attention's output
projection, the heads (``attention_backward``), the projections and the first LayerNorm and residual, and last
the embeddings. tests/test_gpt.py checks every parameter's gradient against finite differences.
"""

from __future__ import annotations

import numpy as np

from ..attention import merge_heads, split_heads
from ..gradients import attention_backward, cross_entropy_backward, gelu_backward, layer_norm_backward
from ..layers import cross_entropy
from .model import LN_EPS, _full, _per_head, check_ids, config_of, forward


def _flat(a: np.ndarray) -> np.ndarray:
    return a.reshape(-1, a.shape[-1])


def _attention_backward(s: dict, d_heads: np.ndarray, n_kv: int) -> tuple:
    """attention_backward for grouped heads: the group's query heads are a broadcast axis of the shared K and V,
    so their gradients add up. (B, H, n, d_head) -> dQ (B, H, n, d_head), dK, dV (B, H_kv, n, d_head)"""
    Q, K, V, P = s["Q"], s["K"], s["V"], s["weights"]
    B, H, n, dh = Q.shape
    g = H // n_kv
    dQ, dK, dV = attention_backward(
        Q.reshape(B, n_kv, g, n, dh),
        K[:, :, None],
        V[:, :, None],
        d_heads.reshape(B, n_kv, g, n, -1),
        weights=P.reshape(B, n_kv, g, n, n),
    )
    return dQ.reshape(Q.shape), dK[:, :, 0], dV[:, :, 0]


def loss_and_grads(params: dict, ids, targets) -> tuple[float, dict]:
    """The mean cross-entropy (nats) of predicting targets from ids, and its gradient for every parameter.
    {name: array}, (batch, n), (batch, n) -> (float, {name: array of the parameter's shape})"""
    config = config_of(params)
    ids = check_ids(ids, config)
    targets = check_ids(targets, config)
    if targets.shape != ids.shape:
        raise ValueError(f"targets must have the shape of ids {ids.shape}, got {targets.shape}.")
    keep = []
    logits = forward(params, ids, keep=keep)  # (B, n, V)
    loss = cross_entropy(logits, targets)
    grads = {}
    end = keep[-1]
    d_logits = cross_entropy_backward(logits, targets)  # (B, n, V)
    grads["tok_emb"] = _flat(d_logits).T @ _flat(end["f"])  # logits = f @ tok_emb.T
    d_f = d_logits @ params["tok_emb"]
    dx, grads["ln_f.gamma"], grads["ln_f.beta"] = layer_norm_backward(end["x"], params["ln_f.gamma"], d_f, LN_EPS)
    H, d, n = config.n_heads, config.d_model, ids.shape[1]
    for i in reversed(range(config.n_layers)):
        p, s = f"blocks.{i}.", keep[i]
        if config.d_ff:
            # x2 = x1 + g @ W_2 + b_2
            grads[p + "mlp.W_2"] = _flat(s["g"]).T @ _flat(dx)
            grads[p + "mlp.b_2"] = _flat(dx).sum(axis=0)
            d_u = gelu_backward(s["u"], dx @ params[p + "mlp.W_2"].T, approximate=True)
            grads[p + "mlp.W_1"] = _flat(s["c"]).T @ _flat(d_u)
            grads[p + "mlp.b_1"] = _flat(d_u).sum(axis=0)
            d_c = d_u @ params[p + "mlp.W_1"].T
            d_x1, grads[p + "ln2.gamma"], grads[p + "ln2.beta"] = layer_norm_backward(
                s["x1"], params[p + "ln2.gamma"], d_c, LN_EPS
            )
            d_x1 += dx  # the residual passes the gradient through unchanged
        else:  # attention only: the block's output is x1
            d_x1 = dx
        # x1 = x + m @ W_o + b_o
        grads[p + "attn.W_o"] = (_flat(s["m"]).T @ _flat(d_x1)).reshape(H, -1, d)
        grads[p + "attn.b_o"] = _flat(d_x1).sum(axis=0)
        d_heads = split_heads(d_x1 @ params[p + "attn.W_o"].reshape(-1, d).T, H)  # (B, H, n, d_head)
        dQ, dK, dV = _attention_backward(s, d_heads, config.n_kv_heads)
        d_a = np.zeros_like(s["a"])
        for w, dW in zip("qkv", (dQ, dK, dV)):
            dW = merge_heads(dW)  # (B, n, d)
            grads[p + f"attn.W_{w}"] = _per_head(_flat(s["a"]).T @ _flat(dW), dW.shape[-1] // config.d_head)
            d_a += dW @ _full(params[p + f"attn.W_{w}"]).T
        d_x, grads[p + "ln1.gamma"], grads[p + "ln1.beta"] = layer_norm_backward(
            s["x"], params[p + "ln1.gamma"], d_a, LN_EPS
        )
        dx = d_x + d_x1
    # x = tok_emb[ids] + pos_emb[:n]
    np.add.at(grads["tok_emb"], ids.ravel(), _flat(dx))  # a token used twice collects both gradients
    grads["pos_emb"] = np.zeros_like(params["pos_emb"])
    grads["pos_emb"][:n] = dx.sum(axis=0)
    return loss, {k: grads[k].astype(params[k].dtype, copy=False) for k in params}
