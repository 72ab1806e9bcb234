"""More named mistakes for the implement-it of notebook 13 (the online softmax's update for one block), found by trying
realistic wrong answers: each function computes what one wrong version returns, and its docstring is the hint the
learner reads."""

from __future__ import annotations

import numpy as np

from ..attention import softmax


# ---------------------------------------------------------------- 13.3 the online softmax's update
def _step(top, total, acc, scores, V, new=None, p=None, total_term=None, total_scale=True, top_out=None):
    new = np.maximum(top, scores.max(axis=-1, keepdims=True)) if new is None else new
    with np.errstate(all="ignore"):
        r = np.exp(top - new)
        p = np.exp(scores - new) if p is None else p
        term = p.sum(axis=-1, keepdims=True) if total_term is None else total_term(p)
        return (new if top_out is None else top_out), (total * r if total_scale else total) + term, acc * r + p @ V


def _update_minimum(top, total, acc, scores, V):
    """the running value is the minimum; it is the maximum, np.maximum(top, scores.max(axis=-1, keepdims=True)),
    so that every exp(score - max) is at most 1."""
    with np.errstate(all="ignore"):
        return _step(top, total, acc, scores, V, new=np.minimum(top, scores.min(axis=-1, keepdims=True)))


def _update_total_max(top, total, acc, scores, V):
    """total adds the block's largest term; it adds their sum, p.sum(axis=-1, keepdims=True)."""
    return _step(top, total, acc, scores, V, total_term=lambda p: p.max(axis=-1, keepdims=True))


def _update_acc_divided(top, total, acc, scores, V):
    """acc is divided by total at each step; keep acc unnormalised (divide once, at the end, out = acc / total)."""
    m, t, a = _step(top, total, acc, scores, V)
    return m, t, a / t


def _update_block_softmax(top, total, acc, scores, V):
    """the block's terms are its own softmax, normalised within the block; use exp(scores - m_new), measured against
    the running max, so blocks can be added."""
    return _step(top, total, acc, scores, V, p=softmax(scores))


def _update_one_max(top, total, acc, scores, V):
    """one max for the whole block: each query (row) keeps its own running max, scores.max(axis=-1,
    keepdims=True)."""
    return _step(top, total, acc, scores, V, new=np.maximum(top, scores.max()))


def _update_total_not_rescaled(top, total, acc, scores, V):
    """acc is rescaled but total is not: both were measured against the old max, so multiply both by
    exp(m_old - m_new)."""
    return _step(top, total, acc, scores, V, total_scale=False)


def _update_log_total(top, total, acc, scores, V):
    """total is returned as its log: return the sum of exps itself (a log-sum-exp is log(total) + top)."""
    m, t, a = _step(top, total, acc, scores, V)
    return m, np.log(t), a


def _update_old_top(top, total, acc, scores, V):
    """the max returned is the old one: return the new running max, np.maximum(top, scores.max(axis=-1,
    keepdims=True)), that total and acc are now measured against."""
    return _step(top, total, acc, scores, V, top_out=top)


def _update_block_own_max(top, total, acc, scores, V):
    """the new block's terms are measured against the block's own max; total and acc are rescaled to the new running
    max m_new, so the new terms must be too: exp(scores - m_new)."""
    return _step(top, total, acc, scores, V, p=np.exp(scores - scores.max(axis=-1, keepdims=True)))


def _update_only_new_terms_rescaled(top, total, acc, scores, V):
    """the rescale multiplies the new block's p @ V, not the earlier acc: acc * exp(m_old - m_new) + p @ V, with p
    measured against m_new."""
    m, t, _ = _step(top, total, acc, scores, V)
    with np.errstate(all="ignore"):
        r = np.exp(top - m)
        return m, t, acc + np.exp(scores - m) @ V * r


def _update_ratio(top, total, acc, scores, V):
    """the old sums are rescaled by top / new; the rescale is exp(top - new), the factor that moves exp(s - top) to
    exp(s - new)."""
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    r, p = top / new, np.exp(scores - new)
    return new, total * r + p.sum(axis=-1, keepdims=True), acc * r + p @ V


def _update_total_over_queries(top, total, acc, scores, V):
    """total adds up the whole block, every query's row together; each query keeps its own sum, p.sum(axis=-1,
    keepdims=True)."""
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    r, p = np.exp(top - new), np.exp(scores - new)
    return new, total * r + p.sum(axis=0, keepdims=True).sum(axis=-1, keepdims=True), acc * r + p @ V


def _update_total_over_axis_0(top, total, acc, scores, V):
    """the block's exps are summed over axis 0, the queries; each query adds its own row's sum to its total,
    p.sum(axis=-1, keepdims=True)."""
    return _step(top, total, acc, scores, V, total_term=lambda p: p.sum(axis=0))


def _finite_start(stand_in):
    """A mistake: a finite number standing in for -inf as the starting max."""

    def _update_finite_start(top, total, acc, scores, V):
        """a finite number stands in for -inf as the running max (as -1e4, -5e4 or -65504 do): when every score of a
        row is below it (scores of -100000), its exps all underflow to 0. Start from -inf, which np.maximum(top,
        scores.max(axis=-1, keepdims=True)) and exp(top - new) = 0 handle."""
        floor = np.maximum(top, stand_in)
        return _step(floor, total, acc, scores, V, new=np.maximum(floor, scores.max(axis=-1, keepdims=True)))

    return _update_finite_start


def _update_acc_divided_by_rescale(top, total, acc, scores, V):
    """acc is divided by the rescale exp(m_old - m_new); multiply it, as total is: acc * exp(m_old - m_new) + p @ V."""
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    with np.errstate(all="ignore"):
        r = np.exp(top - new)
        kept = np.where(np.isneginf(top), 0.0, acc / r)
        p = np.exp(scores - new)
        return new, total * r + p.sum(axis=-1, keepdims=True), kept + p @ V


UPDATE = [
    _update_acc_divided_by_rescale,
    *[_finite_start(v) for v in (-1e4, -5e4, -65504.0)],
    _update_total_over_axis_0,
    _update_total_over_queries,
    _update_ratio,
    _update_only_new_terms_rescaled,
    _update_block_own_max,
    _update_minimum,
    _update_total_max,
    _update_acc_divided,
    _update_block_softmax,
    _update_one_max,
    _update_total_not_rescaled,
    _update_log_total,
    _update_old_top,
]
