"""Independent reference implementations with explicit Python loops and the math module only.

Nothing here calls numpy's matmul, softmax-like helpers or the package under test: each
function is written straight from the formula, one number at a time, so that agreement with
the vectorised helpers means something.
"""

import math

import numpy as np


def softmax_row(row, temperature=1.0):
    vals = [float(v) / temperature for v in row]
    finite = [v for v in vals if v != -math.inf]
    top = max(finite)
    exps = [0.0 if v == -math.inf else math.exp(v - top) for v in vals]
    total = sum(exps)
    return [e / total for e in exps]


def softmax(scores, temperature=1.0):
    scores = np.asarray(scores, dtype=float)
    out = np.empty_like(scores)
    for idx in np.ndindex(scores.shape[:-1]):
        out[idx] = softmax_row(scores[idx], temperature)
    return out


def dot(u, v):
    return sum(float(a) * float(b) for a, b in zip(u, v))


def dot_similarity(A, B):
    A = np.asarray(A, dtype=float)
    B = np.asarray(B, dtype=float)
    out = np.empty(A.shape[:-1] + (B.shape[-2],))
    for idx in np.ndindex(A.shape[:-2]):
        for i in range(A.shape[-2]):
            for j in range(B.shape[-2]):
                out[idx + (i, j)] = dot(A[idx + (i,)], B[idx + (j,)])
    return out


def weighted_sum(weights, V):
    """out[i] = sum_j weights[i][j] * V[j], for 2-D inputs."""
    n_q, n_k = len(weights), len(weights[0])
    d = len(V[0])
    return np.array(
        [[sum(float(weights[i][j]) * float(V[j][c]) for j in range(n_k)) for c in range(d)] for i in range(n_q)]
    )


def attention_2d(Q, K, V, mask=None, scale=None):
    """One sequence: loops over queries and keys."""
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    d_k = Q.shape[-1]
    s = 1.0 / math.sqrt(d_k) if scale is None else scale
    weights = []
    for i in range(Q.shape[0]):
        row = []
        for j in range(K.shape[0]):
            allowed = True if mask is None else bool(mask[i][j])
            row.append(dot(Q[i], K[j]) * s if allowed else -math.inf)
        weights.append(softmax_row(row))
    return weighted_sum(weights, V), np.array(weights)


def attention(Q, K, V, mask=None, scale=None):
    """Leading batch dimensions handled by a loop over them (Q, K, V share the batch shape)."""
    Q, K, V = (np.asarray(a, dtype=float) for a in (Q, K, V))
    batch = Q.shape[:-2]
    out = np.empty(batch + (Q.shape[-2], V.shape[-1]))
    w = np.empty(batch + (Q.shape[-2], K.shape[-2]))
    full_mask = None if mask is None else np.broadcast_to(mask, w.shape)
    for idx in np.ndindex(batch):
        m = None if full_mask is None else full_mask[idx]
        out[idx], w[idx] = attention_2d(Q[idx], K[idx], V[idx], m, scale)
    return out, w


def matmul_2d(A, B):
    return np.array([[dot(A[i], [B[k][j] for k in range(len(B))]) for j in range(len(B[0]))] for i in range(len(A))])


def multi_head_attention_2d(X, W_q, W_k, W_v, W_o, n_heads, mask=None):
    """One sequence: project, then a loop over heads with column slices, then concatenate."""
    X = np.asarray(X, dtype=float)
    d_model = X.shape[1]
    d_head = d_model // n_heads
    Q, K, V = matmul_2d(X, W_q), matmul_2d(X, W_k), matmul_2d(X, W_v)
    outs, weights = [], []
    for h in range(n_heads):
        cols = slice(h * d_head, (h + 1) * d_head)
        o, w = attention_2d(Q[:, cols], K[:, cols], V[:, cols], mask)
        outs.append(o)
        weights.append(w)
    concat = np.concatenate(outs, axis=1)
    return matmul_2d(concat, W_o), np.array(weights)


def attention_backward_2d(Q, K, V, dO, mask=None, scale=None):
    """Gradients of sum(out * dO) for one sentence, from the scalar chain rule written out in loops."""
    n_q, d_k = len(Q), len(Q[0])
    n_k = len(K)
    s = 1 / math.sqrt(d_k) if scale is None else scale
    _out, P = attention_2d(Q, K, V, mask, scale=s)
    dP = [[sum(dO[i][c] * V[j][c] for c in range(len(V[0]))) for j in range(n_k)] for i in range(n_q)]
    dS = [[P[i][j] * (dP[i][j] - sum(dP[i][m] * P[i][m] for m in range(n_k))) for j in range(n_k)] for i in range(n_q)]
    dQ = [[s * sum(dS[i][j] * K[j][c] for j in range(n_k)) for c in range(d_k)] for i in range(n_q)]
    dK = [[s * sum(dS[i][j] * Q[i][c] for i in range(n_q)) for c in range(d_k)] for j in range(n_k)]
    dV = [[sum(P[i][j] * dO[i][c] for i in range(n_q)) for c in range(len(V[0]))] for j in range(n_k)]
    return dQ, dK, dV
