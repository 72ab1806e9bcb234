"""attention_backward against finite differences and loops; training reaches the pattern; the widget scrubs."""

import numpy as np
import pytest

import helpers as h
from helpers import training
from tests import reference as ref


def finite_differences(Q, K, V, G, mask=None, scale=None, eps=1e-6):
    def loss(*args):
        return float(np.sum(h.scaled_dot_product_attention(*args, mask=mask, scale=scale)[0] * G))

    out = []
    for which in range(3):
        args = [Q, K, V]
        M = args[which]
        num = np.zeros_like(M)
        for i in np.ndindex(M.shape):
            E = np.zeros_like(M)
            E[i] = eps
            up, down = list(args), list(args)
            up[which], down[which] = M + E, M - E
            num[i] = (loss(*up) - loss(*down)) / (2 * eps)
        out.append(num)
    return out


@pytest.mark.parametrize(
    "n_q, n_k, d_k, d_v, masked, scale",
    [(3, 3, 4, 2, False, None), (4, 4, 3, 3, True, None), (2, 5, 4, 1, False, 0.3), (1, 1, 2, 2, False, None)],
)
def test_backward_matches_finite_differences_and_loops(n_q, n_k, d_k, d_v, masked, scale):
    r = np.random.default_rng([n_q, n_k, d_k])
    Q, K, V, G = (
        r.normal(size=(n_q, d_k)),
        r.normal(size=(n_k, d_k)),
        r.normal(size=(n_k, d_v)),
        r.normal(size=(n_q, d_v)),
    )
    mask = np.tri(n_q, n_k, dtype=bool) if masked else None
    got = h.attention_backward(Q, K, V, G, mask=mask, scale=scale)
    for g, num in zip(got, finite_differences(Q, K, V, G, mask, scale)):
        assert np.abs(g - num).max() <= 1e-7 * max(1.0, np.abs(num).max())
    for g, loop in zip(got, ref.attention_backward_2d(Q, K, V, G, mask, scale)):
        np.testing.assert_allclose(g, np.array(loop), atol=1e-12)


def test_backward_masked_keys_get_no_gradient_and_batches_work():
    r = np.random.default_rng(4)
    Q, K, V, G = r.normal(size=(2, 3, 4)), r.normal(size=(2, 3, 4)), r.normal(size=(2, 3, 2)), r.normal(size=(2, 3, 2))
    dQ, dK, dV = h.attention_backward(Q, K, V, G, mask=h.causal_mask(3))
    for b in range(2):
        for g, loop in zip((dQ[b], dK[b], dV[b]), ref.attention_backward_2d(Q[b], K[b], V[b], G[b], h.causal_mask(3))):
            np.testing.assert_allclose(g, np.array(loop), atol=1e-12)
    # key 2 is visible only to query 2: with that query's gradient 0, nothing flows to key 2
    G0 = G.copy()
    G0[:, 2] = 0
    _, _dK0, dV0 = h.attention_backward(Q, K, V, G0, mask=h.causal_mask(3))
    assert np.all(dV0[:, 2] == 0)


def test_backward_broadcast_and_float32():
    r = np.random.default_rng(5)
    Q = r.normal(size=(2, 3, 4)).astype(np.float32)
    K, V = r.normal(size=(3, 4)).astype(np.float32), r.normal(size=(3, 2)).astype(np.float32)
    G = r.normal(size=(2, 3, 2)).astype(np.float32)
    dQ, dK, dV = h.attention_backward(Q, K, V, G)
    assert dQ.shape == Q.shape and dK.shape == K.shape and dV.shape == V.shape  # summed over the batch K was shared by
    assert dQ.dtype == dK.dtype == dV.dtype == np.float32
    full = [
        h.attention_backward(Q[b].astype(float), K.astype(float), V.astype(float), G[b].astype(float)) for b in range(2)
    ]
    np.testing.assert_allclose(dK, full[0][1] + full[1][1], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "args, kwargs, err, words",
    [
        ((np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 2)), np.ones((2, 2))), {}, ValueError, "share d_k"),
        ((np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 2)), np.ones((3, 2))), {}, ValueError, "output's shape"),
        ((np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 2)), np.full((2, 2), np.nan)), {}, ValueError, "NaN"),
        (
            (np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 2)), np.ones((2, 2))),
            {"mask": np.zeros((2, 2), bool)},
            ValueError,
            "every entry masked",
        ),
        (
            (np.full((2, 2), 1e200), np.full((2, 2), 1e200), np.ones((2, 2)), np.ones((2, 2))),
            {},
            ValueError,
            "overflowed",
        ),
    ],
)
def test_backward_bad_input(args, kwargs, err, words):
    with pytest.raises(err, match=words):
        h.attention_backward(*args, **kwargs)


def test_training_learns_the_previous_word_deterministically():
    task = training.previous_token_task(n_sentences=64, seed=1)
    run = training.train(task, steps=300, seed=2)
    again = training.train(task, steps=300, seed=2)
    np.testing.assert_array_equal(run.losses, again.losses)
    assert run.losses[0] / run.losses[-1] >= 100
    assert h.previous_token_share(run.weights[-1]) >= 0.9
    assert run.weights.shape == (301, 8, 8) and run.norms.shape == (301, 2)


def test_gradients_of_the_model_match_finite_differences():
    task = training.previous_token_task(n_sentences=4, n=4, d_word=3, d_pos=2, seed=3)
    r = np.random.default_rng(6)
    W_q, W_k = r.normal(size=(5, 3)), r.normal(size=(5, 3))
    _, dW_q, dW_k, _ = training.loss_and_gradients(task, W_q, W_k)
    for W, dW, which in ((W_q, dW_q, 0), (W_k, dW_k, 1)):
        for i in np.ndindex(W.shape):
            E = np.zeros_like(W)
            E[i] = 1e-6
            args_up = [W_q + E, W_k] if which == 0 else [W_q, W_k + E]
            args_down = [W_q - E, W_k] if which == 0 else [W_q, W_k - E]
            num = (
                training.loss_and_gradients(task, *args_up)[0] - training.loss_and_gradients(task, *args_down)[0]
            ) / 2e-6
            assert dW[i] == pytest.approx(num, rel=1e-5, abs=1e-9)


def test_training_widget_scrubs_without_training_again(monkeypatch, assert_blit_equals_full_redraw):
    from helpers import widgets as w

    task = training.previous_token_task(n_sentences=16, seed=0)
    calls = []
    real = training.train
    monkeypatch.setattr(training, "train", lambda *a, **k: calls.append(k) or real(*a, **k))
    app = w.training_explorer(task, n_steps=40)
    for step in (0, 10, 40):
        app.controls["step"].value = step
    assert len(calls) == 1 and app.result.step == 40
    assert "Training step 40 of 40" in app.image.alt
    app.controls["seed"].value = 3
    assert len(calls) == 2 and app.error is None
    app.controls["seed"].value = 0  # back to a cached training
    assert len(calls) == 2
    assert_blit_equals_full_redraw(app, [("step", 5), ("lr", 0.1), ("step", 20)])


def test_softmax_backward_is_the_jacobian_applied_to_each_row():
    from helpers.experiments import softmax_jacobian

    r = np.random.default_rng(7)
    P = h.softmax(r.normal(size=(2, 3, 5)))
    dP = r.normal(size=(2, 3, 5))
    dS = h.softmax_backward(P, dP)
    for idx in np.ndindex(P.shape[:-1]):
        np.testing.assert_allclose(dS[idx], softmax_jacobian(P[idx]).T @ dP[idx], atol=1e-12)
