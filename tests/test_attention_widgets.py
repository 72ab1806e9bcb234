"""The steps and widgets of queries and keys, scaling, masks and heads, and the line and bar plots they use."""

import numpy as np
import pytest

import helpers as h
from helpers import plots, random_projections
from helpers.steps import MASK_KINDS, heads_step, mask_step, qk_step, rotation_scaling, scaling_step
from helpers.widgets import head_explorer, mask_explorer, qk_explorer, scaling_explorer


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


# ---------------------------------------------------------------- steps and widgets
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


def test_qk_step_identity_is_scaled_self_attention(toy):
    X2 = toy.embed(["money", "bank", "river"])[1][:, :2]
    r = qk_step(X2, 0.0, 1.0)
    np.testing.assert_allclose(r.weights, h.self_attention(X2, scaled=True)[1])


def test_qk_explorer_updates_vectors_and_weights(toy):
    app = qk_explorer(toy)
    app.controls["angle_deg"].value = 90.0
    q = app.figure.axes[0].collections[0]
    X2 = toy.embed(["money", "bank", "river"])[1][:, :2]
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


def test_mask_explorer_moves_the_outline_and_updates_weights(glove):
    app = mask_explorer(glove, "the river bank flows", n_pad=2, kind="none", position=0)
    ax = app.figure.axes[0]
    app.controls["kind"].value = "padding"
    np.testing.assert_allclose(ax.collections[0].get_array().reshape(6, 6)[:, 4:], 0.0)
    app.controls["position"].value = 3
    box = next(p for p in ax.patches if p.get_gid() == "keep")
    assert box.get_y() == 3
    assert "'flows' can see: the, river, bank, flows" in ax.get_title()


def test_heads_step_matches_helper_and_explorer_switches_heads(glove):
    g = glove
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
