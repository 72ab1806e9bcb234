"""Helpers of notebooks 05-09: padding, entropy, the loop reference, experiments, and their widgets."""

import numpy as np
import pytest

import helpers as h
from helpers import experiments, plots, random_projections
from helpers.embeddings import load_glove, toy_vectors
from helpers.steps import MASK_KINDS, heads_step, mask_step, qk_step, rotation_scaling, scaling_step
from helpers.widgets import head_explorer, mask_explorer, qk_explorer, scaling_explorer
from tests import reference as ref


# ---------------------------------------------------------------- padding and entropy
def test_padding_mask_matches_loops():
    m = h.padding_mask([3, 1, 4], 4)
    assert m.shape == (3, 1, 4) and m.dtype == np.bool_
    for b, length in enumerate([3, 1, 4]):
        for j in range(4):
            assert m[b, 0, j] == (j < length)


@pytest.mark.parametrize(
    "lengths, n, err", [([0, 2], 3, ValueError), ([4], 3, ValueError), ([], 3, TypeError), ([1.5], 3, TypeError)]
)
def test_padding_mask_bad_input(lengths, n, err):
    with pytest.raises(err):
        h.padding_mask(lengths, n)


def test_pad_batch():
    a, b = np.ones((3, 2)), 2 * np.ones((1, 2))
    batch, lengths = h.pad_batch([a, b])
    assert batch.shape == (2, 3, 2) and lengths.tolist() == [3, 1]
    np.testing.assert_array_equal(batch[1], [[2, 2], [0, 0], [0, 0]])
    with pytest.raises(ValueError, match="same d"):
        h.pad_batch([np.ones((2, 2)), np.ones((2, 3))])
    with pytest.raises(ValueError, match="empty"):
        h.pad_batch([])


def test_entropy_matches_loops_and_is_never_negative_zero():
    W = np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.2, 0.3, 0.5]])
    expected = [-sum(p * np.log(p) for p in row if p > 0) for row in W]
    got = h.entropy(W)
    np.testing.assert_allclose(got, expected)
    assert not np.signbit(got[1])  # a one-hot row prints 0.00, not -0.00


# ---------------------------------------------------------------- the loop reference
@pytest.mark.parametrize("batch", [(), (2,)])
@pytest.mark.parametrize("n, d_model, n_heads", [(3, 4, 2), (5, 6, 3), (4, 8, 8)])
def test_mha_loop_equals_vectorised_and_reference(batch, n, d_model, n_heads):
    r = np.random.default_rng([n, d_model, n_heads])
    X = r.normal(size=batch + (n, d_model))
    Ws = [r.normal(size=(d_model, d_model)) / np.sqrt(d_model) for _ in range(4)]
    out_v, w_v = h.multi_head_attention(X, *Ws, n_heads=n_heads, mask=h.causal_mask(n))
    out_l, w_l = h.multi_head_attention_loop(X, *Ws, n_heads=n_heads, mask=h.causal_mask(n))
    np.testing.assert_allclose(out_l, out_v, rtol=0, atol=1e-12)
    np.testing.assert_allclose(w_l, w_v, rtol=0, atol=1e-12)
    if not batch:
        ref_out, _ = ref.multi_head_attention_2d(X, *Ws, n_heads, h.causal_mask(n))
        np.testing.assert_allclose(out_l, ref_out, atol=1e-12)


def test_mha_loop_bad_heads():
    with pytest.raises(ValueError, match="divisible"):
        h.multi_head_attention_loop(np.ones((2, 6)), *[np.eye(6)] * 4, n_heads=4)


# ---------------------------------------------------------------- experiments (notebook 07)
def test_dot_product_variance_is_d_k():
    v = experiments.dot_product_variance([1, 16, 256], n_samples=40_000, seed=3)
    np.testing.assert_allclose(v / [1, 16, 256], 1.0, rtol=0.05)


def test_saturation_without_scaling_collapses_and_scaling_fixes_it():
    d_ks = [1, 64, 1024]
    raw = experiments.saturation(d_ks, scaled=False, seed=1)
    scaled = experiments.saturation(d_ks, scaled=True, seed=1)
    assert raw["entropy"][0] > 2 * raw["entropy"][-1]
    assert raw["max_weight"][-1] > 0.9 and raw["gradient"][-1] < 0.2
    assert np.ptp(scaled["entropy"]) < 0.3  # about the same at every size
    np.testing.assert_allclose(raw["entropy"][0], scaled["entropy"][0])  # d_k = 1: scaling by 1 changes nothing


def test_softmax_jacobian_matches_finite_differences():
    s = np.array([0.3, -1.0, 2.0])
    w = h.softmax(s)
    J = experiments.softmax_jacobian(w)
    eps = 1e-6
    for j in range(3):
        ds = np.zeros(3)
        ds[j] = eps
        np.testing.assert_allclose((h.softmax(s + ds) - h.softmax(s - ds)) / (2 * eps), J[:, j], atol=1e-8)


def test_random_query_keys_are_seeded():
    a = experiments.random_query_keys(8, 4, seed=2)
    b = experiments.random_query_keys(8, 4, seed=2)
    np.testing.assert_array_equal(a[1], b[1])
    with pytest.raises(ValueError):
        experiments.random_query_keys(0, 4)


# ---------------------------------------------------------------- plots: lines and bars
def test_lines_and_bars():
    fig = plots.lines([1, 2, 4], {"a": [1, 2, 3], "b": [3, 2, 1]}, logx=True)
    assert len(fig.axes[0].lines) == 2
    with pytest.raises(ValueError, match="shape"):
        plots.lines([1, 2], {"a": [1, 2, 3]})
    fig = plots.bars([0.2, 0.8], ["k0", "k1"])
    plots.update_bars(fig.axes[0], [0.6, 0.4])
    assert [p.get_height() for p in fig.axes[0].patches] == [0.6, 0.4]
    with pytest.raises(ValueError, match="bars"):
        plots.update_bars(fig.axes[0], [1.0])


# ---------------------------------------------------------------- widgets of notebooks 05-09
def test_random_projections_are_seeded_projections():
    W = random_projections(6, seed=3, gain=2.0)
    again = random_projections(6, seed=3, gain=2.0)
    assert [M.shape for M in W] == [(6, 6)] * 4
    for a, b in zip(W, again):
        np.testing.assert_array_equal(a, b)
    unpacked = list(W)  # in the order multi_head_attention takes them
    for got, name in zip(unpacked, ("W_q", "W_k", "W_v", "W_o")):
        np.testing.assert_array_equal(got, getattr(W, name))
    assert not np.allclose(W.W_q, W.W_k)
    with pytest.raises(ValueError):
        random_projections(0)


def test_mask_step_padding_is_padding_mask():
    X = np.random.default_rng(1).normal(size=(5, 3))
    np.testing.assert_array_equal(
        mask_step(X, 3, "padding", 0).mask, np.broadcast_to(h.padding_mask([3], 5)[0], (5, 5))
    )


def test_rotation_scaling_rotates_counterclockwise():
    np.testing.assert_allclose(np.array([1.0, 0.0]) @ rotation_scaling(90, 2.0), [0.0, 2.0], atol=1e-12)


def test_qk_step_identity_is_scaled_self_attention():
    X2 = toy_vectors().embed(["money", "bank", "river"])[1][:, :2]
    r = qk_step(X2, 0.0, 1.0)
    np.testing.assert_allclose(r.weights, h.self_attention(X2, scaled=True)[1])


def test_qk_explorer_updates_vectors_and_weights():
    app = qk_explorer(toy_vectors())
    app.controls["angle_deg"].value = 90.0
    q = app.figure.axes[0].collections[0]
    X2 = toy_vectors().embed(["money", "bank", "river"])[1][:, :2]
    expected_Q = X2 @ rotation_scaling(90.0, 1.0)
    np.testing.assert_allclose(np.c_[q.U[3:], q.V[3:]], expected_Q, atol=1e-12)
    np.testing.assert_allclose(app.figure.axes[1].collections[0].get_array().reshape(3, 3), app.result.weights)


def test_scaling_step_and_explorer():
    raw, scaled = scaling_step(1024, False), scaling_step(1024, True)
    assert raw.max_weight > 0.99 and scaled.entropy > 1.0
    app = scaling_explorer(d_k=4)
    app.controls["d_k"].value = 1024
    heights = [p.get_height() for p in app.figure.axes[0].patches]
    np.testing.assert_allclose(heights, raw.weights)
    app.controls["scaled"].value = True
    np.testing.assert_allclose([p.get_height() for p in app.figure.axes[0].patches], scaled.weights)
    assert f"entropy {scaled.entropy:.2f}" in app.figure.axes[0].get_title()


def test_mask_step_every_kind():
    X = np.random.default_rng(0).normal(size=(5, 3))
    for kind in MASK_KINDS:
        r = mask_step(X, n_words=3, kind=kind, position=4)
        assert np.allclose(r.weights.sum(-1), 1)
        assert (r.weights[~r.mask] == 0).all()
    assert mask_step(X, 3, "causal", 1).visible.tolist() == [0, 1]
    assert mask_step(X, 3, "padding", 1).visible.tolist() == [0, 1, 2]
    assert mask_step(X, 3, "causal + padding", 4).visible.tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="unknown mask"):
        mask_step(X, 3, "diagonal", 0)


def test_mask_explorer_moves_the_outline_and_updates_weights():
    app = mask_explorer(load_glove(), "the river bank flows", n_pad=2, kind="none", position=0)
    ax = app.figure.axes[0]
    app.controls["kind"].value = "padding"
    np.testing.assert_allclose(ax.collections[0].get_array().reshape(6, 6)[:, 4:], 0.0)
    app.controls["position"].value = 3
    box = next(p for p in ax.patches if p.get_gid() == "keep")
    assert box.get_y() == 3
    assert "'flows' can see: the, river, bank, flows" in ax.get_title()


def test_heads_step_matches_helper_and_explorer_switches_heads():
    g = load_glove()
    r = heads_step(g, "we sat on the river bank", n_heads=5)
    _, X = g.embed("we sat on the river bank")
    W = random_projections(50, 0, 3.0)
    _, w = h.multi_head_attention(X, *W, n_heads=5)
    np.testing.assert_allclose(r.weights, w)
    app = head_explorer(g, "we sat on the river bank", n_heads=5)
    app.controls["head"].value = 3
    np.testing.assert_allclose(app.figure.axes[0].collections[0].get_array().reshape(6, 6), w[3])
    app.controls["sentence"].value = "money bnak"
    assert "Did you mean" in app.message.value


def test_mha_biases_are_added_after_each_projection():
    r = np.random.default_rng(9)
    X = r.normal(size=(4, 6))
    Ws = [r.normal(size=(6, 6)) for _ in range(4)]
    b = {k: r.normal(size=6) for k in ("b_q", "b_k", "b_v", "b_o")}
    out, w = h.multi_head_attention(X, *Ws, n_heads=2, biases=b)
    no_bias_out, _ = ref.multi_head_attention_2d(X, *Ws, 2)
    Q, K, V = X @ Ws[0] + b["b_q"], X @ Ws[1] + b["b_k"], X @ Ws[2] + b["b_v"]
    heads = [ref.attention_2d(Q[:, s], K[:, s], V[:, s]) for s in (slice(0, 3), slice(3, 6))]
    expected = np.concatenate([o for o, _ in heads], axis=1) @ Ws[3] + b["b_o"]
    np.testing.assert_allclose(out, expected, atol=1e-12)
    np.testing.assert_allclose(w, np.stack([wh for _, wh in heads]), atol=1e-12)
    assert not np.allclose(out, no_bias_out)  # the biases matter
    with pytest.raises(ValueError, match="b_q"):
        h.multi_head_attention(X, *Ws, n_heads=2, biases={"b_q": np.ones(5)})
    with pytest.raises(ValueError, match="unknown bias"):
        h.multi_head_attention(X, *Ws, n_heads=2, biases={"bias": np.ones(6)})
