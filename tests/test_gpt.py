"""The tiny GPT: every parameter's gradient against finite differences, the layers' backward passes, the text and
its tokens, sampling, generation, loading the committed model, and its quality against the bigram baseline."""

import json
import shutil

import numpy as np
import pytest

from helpers import gpt
from helpers.attention import scaled_dot_product_attention, softmax
from helpers.files import ModelFileError
from helpers.gpt.heads import induction_score
from helpers.gradients import attention_backward, cross_entropy_backward, gelu_backward, layer_norm_backward
from helpers.layers import cross_entropy, gelu, layer_norm, log_softmax


def numeric_grad(f, x, eps=1e-6):
    """Central finite differences of the scalar f() with respect to every entry of x (changed in place, restored)."""
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        up = f()
        x[idx] = old - eps
        down = f()
        x[idx] = old
        g[idx] = (up - down) / (2 * eps)
    return g


def rel_err(a, b):
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-12))


# ---------------------------------------------------------------- every parameter's gradient
@pytest.fixture(scope="module")
def small():
    config = gpt.GPTConfig(vocab_size=7, context=5, n_layers=2, d_model=8, n_heads=2, d_ff=12)
    params = gpt.init_params(config, seed=1, dtype=np.float64)
    r = np.random.default_rng(0)
    for k in params:  # away from the initial values, where LayerNorm gains of 1 and zero biases hide mistakes
        params[k] = params[k] + 0.3 * r.standard_normal(params[k].shape)
    ids, targets = r.integers(0, 7, size=(2, 5)), r.integers(0, 7, size=(2, 5))
    ids[0, :2] = 3  # a repeated token: its embedding's gradient collects from both places
    return params, ids, targets


def test_loss_and_grads_returns_every_parameter(small):
    params, ids, targets = small
    loss, grads = gpt.loss_and_grads(params, ids, targets)
    assert set(grads) == set(params) and all(grads[k].shape == params[k].shape for k in params)
    assert loss == pytest.approx(cross_entropy(gpt.forward(params, ids), targets))


@pytest.mark.parametrize("name", list(gpt.param_shapes(gpt.GPTConfig(7, 5, 2, 8, 2, 12))))
def test_every_parameter_gradient_matches_finite_differences(small, name):
    params, ids, targets = small
    _, grads = gpt.loss_and_grads(params, ids, targets)
    numeric = numeric_grad(lambda: cross_entropy(gpt.forward(params, ids), targets), params[name])
    assert rel_err(grads[name], numeric) < 1e-6, name


# ---------------------------------------------------------------- each layer's backward pass
def test_layer_norm_backward_matches_finite_differences():
    r = np.random.default_rng(3)
    x, gamma, beta, dy = r.normal(size=(2, 3, 5)), r.normal(size=5), r.normal(size=5), r.normal(size=(2, 3, 5))
    dx, dgamma, dbeta = layer_norm_backward(x, gamma, dy, 1e-5)
    loss = lambda: float(np.sum(layer_norm(x, gamma, beta, 1e-5) * dy))  # noqa: E731
    for got, wrt in ((dx, x), (dgamma, gamma), (dbeta, beta)):
        assert rel_err(got, numeric_grad(loss, wrt)) < 1e-7


@pytest.mark.parametrize("approximate", [False, True])
def test_gelu_backward_matches_finite_differences(approximate):
    x, dy = np.linspace(-5, 5, 41), np.random.default_rng(4).normal(size=41)
    numeric = numeric_grad(lambda: float(np.sum(gelu(x, approximate) * dy)), x)
    assert rel_err(gelu_backward(x, dy, approximate), numeric) < 1e-7


def test_gelu_tanh_form_and_float32():
    x = np.linspace(-6, 6, 101)
    tanh_form = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))  # GPT-2's formula
    np.testing.assert_allclose(gelu(x, approximate=True), tanh_form, atol=1e-12)
    np.testing.assert_allclose(gelu(x, approximate=True), gelu(x), atol=2e-3)  # close to the exact GELU
    assert gelu(np.ones(3, np.float32), approximate=True).dtype == np.float32


def test_cross_entropy_and_its_gradient():
    r = np.random.default_rng(5)
    logits, targets = r.normal(size=(2, 3, 6)), r.integers(0, 6, size=(2, 3))
    by_loop = np.mean([-np.log(softmax(logits[i, j])[targets[i, j]]) for i in range(2) for j in range(3)])
    assert cross_entropy(logits, targets) == pytest.approx(by_loop, rel=1e-12)
    numeric = numeric_grad(lambda: cross_entropy(logits, targets), logits)
    assert rel_err(cross_entropy_backward(logits, targets), numeric) < 1e-7
    big = np.array([[1000.0, 0.0, -1000.0]])  # stable: no overflow, no log(0)
    assert np.isfinite(log_softmax(big)).all() and cross_entropy(big, np.array([0])) == pytest.approx(0.0)


def test_attention_backward_with_kept_weights_equals_recomputed():
    r = np.random.default_rng(6)
    Q, K, V, dO = (r.normal(size=(2, 3, 4, 5)) for _ in range(4))
    mask = np.tri(4, dtype=bool)
    _, P = scaled_dot_product_attention(Q, K, V, mask=mask)
    for a, b in zip(attention_backward(Q, K, V, dO, mask=mask), attention_backward(Q, K, V, dO, weights=P)):
        np.testing.assert_allclose(a, b, atol=1e-14)


# ---------------------------------------------------------------- the text and its tokens
def test_the_text_is_botchan_without_the_gutenberg_header():
    text = gpt.load_text()
    assert text.startswith("BOTCHAN (MASTER DARLING)") and "PROJECT GUTENBERG" not in text.upper()[:500]
    assert len(text) > 200_000 and len(set(text)) == 78
    train, val = gpt.split_text(text)
    assert train + val == text and len(train) == int(0.9 * len(text))


def test_tokenizer_round_trip_and_unknown_characters():
    tok = gpt.CharTokenizer.from_text("hello world")
    ids = tok.encode("low hello")
    assert ids.dtype == np.int64 and tok.decode(ids) == "low hello"
    with pytest.raises(ValueError, match="'z' is not in the vocabulary"):
        tok.encode("hez")
    with pytest.raises(ValueError, match="not in the vocabulary"):
        tok.decode([0, 99])


# ---------------------------------------------------------------- sampling
def test_temperature_zero_is_greedy_and_top_k_keeps_the_k_largest():
    logits = np.array([1.0, 3.0, 2.0, -1.0])
    assert gpt.sample_next(logits, temperature=0) == 1
    p = gpt.next_token_probs(logits, top_k=2)
    assert (p[[0, 3]] == 0).all() and p.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(p[[1, 2]], softmax(logits[[1, 2]]))  # renormalised over the kept ones
    np.testing.assert_allclose(gpt.next_token_probs(logits), softmax(logits))


def test_top_p_keeps_the_smallest_set_that_reaches_p():
    logits = np.log(np.array([0.5, 0.3, 0.15, 0.05]))
    np.testing.assert_allclose(gpt.next_token_probs(logits, top_p=0.7), [0.5 / 0.8, 0.3 / 0.8, 0, 0])
    np.testing.assert_allclose(gpt.next_token_probs(logits, top_p=0.5), [1, 0, 0, 0])
    np.testing.assert_allclose(gpt.next_token_probs(logits, top_p=1.0), [0.5, 0.3, 0.15, 0.05])
    # both: top-p over what top-k kept, renormalised (0.625 of the top 2 reaches 0.6), as Hugging Face applies them
    np.testing.assert_allclose(gpt.next_token_probs(logits, top_k=2, top_p=0.6), [1, 0, 0, 0])
    np.testing.assert_allclose(gpt.next_token_probs(logits, top_k=2, top_p=0.7), [0.625, 0.375, 0, 0])


def test_samples_follow_the_probabilities():
    logits = np.log(np.array([0.6, 0.3, 0.1]))
    rng = np.random.default_rng(7)
    counts = np.bincount([gpt.sample_next(logits, rng=rng) for _ in range(4000)], minlength=3) / 4000
    np.testing.assert_allclose(counts, [0.6, 0.3, 0.1], atol=0.03)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"temperature": -1.0}, "temperature"),
        ({"temperature": float("nan")}, "temperature"),
        ({"top_k": 0}, "top_k"),
        ({"top_k": 5}, "top_k"),
        ({"top_p": 0.0}, "top_p"),
        ({"top_p": 1.5}, "top_p"),
    ],
)
def test_bad_sampling_settings(kwargs, words):
    with pytest.raises(ValueError, match=words):
        gpt.sample_next(np.zeros(4), **kwargs)


# ---------------------------------------------------------------- the committed model
@pytest.fixture(scope="module")
def model():
    return gpt.load_tiny_gpt()


def test_the_committed_model_beats_the_bigram_by_the_target(model):
    text = gpt.load_text()
    train, val = (model.encode(t) for t in gpt.split_text(text))
    bigram = gpt.bigram_loss(train, val, model.config.vocab_size)
    loss = gpt.heads.loss_on(model.params, val)  # every character of the validation split once
    assert loss <= bigram - 0.8, f"validation {loss:.3f} nats, bigram {bigram:.3f}"
    assert model.record["val_loss"][-1] == pytest.approx(gpt.evaluate(model.params, val), abs=1e-4)


def test_generate_is_seeded_and_greedy_is_deterministic(model):
    a = gpt.generate(model, "I was ", 40, temperature=0.8, seed=3)
    assert a == gpt.generate(model, "I was ", 40, temperature=0.8, seed=3) and len(a) == 40
    assert gpt.generate(model, "I was ", 20, temperature=0) == gpt.generate(model, "I was ", 20, temperature=0, seed=9)


def test_a_long_prompt_is_cropped_once(model):
    prompt = "a" * (model.config.context + 10)
    with pytest.warns(UserWarning, match="reads its last"):
        out = gpt.generate(model, prompt, 3, temperature=0)
    assert len(out) == 3


@pytest.mark.parametrize(
    "prompt, n_tokens, kwargs, err, words",
    [
        ("", 5, {}, ValueError, "non-empty"),
        ("I was \u00e9", 5, {}, ValueError, "not in the vocabulary"),
        ("I was", 0, {}, ValueError, "n_tokens"),
        ("I was", -3, {}, ValueError, "n_tokens"),
        ("I was", 10**9, {}, ValueError, "n_tokens"),
        ("I was", 5, {"temperature": -0.5}, ValueError, "temperature"),
        ("I was", 5, {"top_k": 1000}, ValueError, "top_k"),
        ("I was", 5, {"top_p": 0}, ValueError, "top_p"),
    ],
)
def test_generate_bad_input(model, prompt, n_tokens, kwargs, err, words):
    with pytest.raises(err, match=words):
        gpt.generate(model, prompt, n_tokens, **kwargs)


def test_a_corrupted_or_truncated_weights_file_is_refused(tmp_path):
    weights, record = tmp_path / "w.npz", tmp_path / "r.json"
    shutil.copy(gpt.tiny.WEIGHTS, weights)
    shutil.copy(gpt.tiny.RECORD, record)
    assert gpt.load_tiny_gpt(weights, record).config.n_layers >= 1
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="not the expected file"):
        gpt.load_tiny_gpt(weights, record)
    weights.write_bytes(data[:100] + b"x" + data[101:])
    with pytest.raises(ModelFileError, match="not the expected file"):
        gpt.load_tiny_gpt(weights, record)
    record.write_text("{", encoding="utf-8")
    with pytest.raises(ModelFileError, match="record"):
        gpt.load_tiny_gpt(weights, record)
    with pytest.raises(ModelFileError, match="missing"):
        gpt.load_tiny_gpt(weights, tmp_path / "none.json")


def test_the_first_training_steps_are_deterministic_and_match_the_committed_curve(model):
    """The script's run, again for its first steps: the same losses as the committed record (CI never retrains)."""
    from scripts.train_tiny_gpt import SETTINGS, data

    train, val = data()
    steps = 5
    _, record = gpt.train(gpt.GPTConfig(**model.record["config"]), train, val, steps, eval_every=10**9, **SETTINGS)
    _, again = gpt.train(gpt.GPTConfig(**model.record["config"]), train, val, steps, eval_every=10**9, **SETTINGS)
    assert record.train_loss == again.train_loss
    committed = model.record["train_loss"][:steps]
    np.testing.assert_allclose(record.train_loss, committed, rtol=2e-5)
    assert json.loads(gpt.tiny.RECORD.read_text())["steps"] == len(model.record["train_loss"])


# ---------------------------------------------------------------- what the heads do
def test_head_scores_against_loops(small):
    params, ids, _ = small
    maps = gpt.heads.attention_maps(params, ids)  # (L, B, H, n, n)
    n = ids.shape[1]
    loop = np.zeros(maps.shape[::2][:1] + (maps.shape[2],))
    for layer in range(maps.shape[0]):
        for head in range(maps.shape[2]):
            loop[layer, head] = np.mean(
                [maps[layer, b, head, t, t - 1] for b in range(ids.shape[0]) for t in range(1, n)]
            )
    np.testing.assert_allclose(gpt.heads.previous_token_scores(params, ids), loop, atol=1e-12)
    np.testing.assert_allclose(maps.sum(-1), 1, atol=1e-12)
    assert (maps[..., np.triu_indices(n, 1)[0], np.triu_indices(n, 1)[1]] == 0).all()  # causal: nothing ahead


def test_induction_score_looks_after_the_earlier_occurrence(small):
    params, _, _ = small
    rep = gpt.heads.repeated_snippets(np.arange(7), 2, 3, seed=1)  # (3, 5): r + r + r[0], r of length 2
    assert rep.shape == (3, 5) and (rep[:, :2] == rep[:, 2:4]).all() and (rep[:, 4] == rep[:, 0]).all()
    assert ((rep[:, 1] - rep[:, 0]) == 1).all()  # snippets of the text: consecutive tokens
    maps = gpt.heads.attention_maps(params, rep)
    # the second copy's queries 2 and 3 look at positions 1 and 2: just after their tokens' first occurrences
    expected = (maps[..., 2, 1] + maps[..., 3, 2]).mean(axis=1) / 2
    np.testing.assert_allclose(gpt.heads.induction_scores(params, rep), expected, atol=1e-12)


def test_losses_per_position_and_on_a_text(small):
    params, ids, targets = small
    joined = np.concatenate([ids, targets[:, -1:]], axis=1)
    per = gpt.heads.loss_per_position(params, joined)
    assert per.shape == (5,)
    assert per.mean() == pytest.approx(cross_entropy(gpt.forward(params, joined[:, :-1]), joined[:, 1:]))
    text = np.arange(23) % 7
    inputs, outs = gpt.heads.windows(text, 5)
    assert inputs.shape == (4, 5) and (inputs.ravel() == text[:20]).all() and (outs.ravel() == text[1:21]).all()
    switched_off = gpt.heads.loss_on(params, text, ablate=[(0, 1)])
    assert switched_off != pytest.approx(gpt.heads.loss_on(params, text))


def test_saving_writes_both_files_whole(tmp_path, model):
    digest = gpt.tiny.save_tiny_gpt(
        model.params, model.tokenizer.vocab, {"steps": 1}, tmp_path / "w.npz", tmp_path / "r.json"
    )
    again = gpt.load_tiny_gpt(tmp_path / "w.npz", tmp_path / "r.json")
    assert again.record["weights_sha256"] == digest and not list(tmp_path.glob("*.partial"))
    np.testing.assert_array_equal(again.params["tok_emb"], model.params["tok_emb"])


# ---------------------------------------------------------------- attention only (d_ff 0) and mean-ablation
@pytest.fixture(scope="module")
def attention_only():
    config = gpt.GPTConfig(vocab_size=6, context=5, n_layers=2, d_model=8, n_heads=2, d_ff=0)
    params = gpt.init_params(config, seed=2, dtype=np.float64)
    r = np.random.default_rng(3)
    for k in params:
        params[k] = params[k] + 0.3 * r.standard_normal(params[k].shape)
    return params, r.integers(0, 6, size=(3, 5)), r.integers(0, 6, size=(3, 5))


def test_attention_only_has_no_mlp_and_its_gradients_match_finite_differences(attention_only):
    params, ids, targets = attention_only
    assert not any(".mlp." in k or ".ln2." in k for k in params)
    assert gpt.config_of(params) == gpt.GPTConfig(6, 5, 2, 8, 2, d_ff=0)
    _, grads = gpt.loss_and_grads(params, ids, targets)
    for name in params:
        numeric = numeric_grad(lambda: cross_entropy(gpt.forward(params, ids), targets), params[name])
        assert rel_err(grads[name], numeric) < 1e-6, name


def test_attention_only_block_is_the_residual_plus_attention(attention_only):
    """From the formula: x + attention(LayerNorm(x)) per layer, heads one at a time, then the tied output."""
    params, ids, _ = attention_only
    x = params["tok_emb"][ids] + params["pos_emb"][: ids.shape[1]]
    n = ids.shape[1]
    for i in range(2):
        p = f"blocks.{i}."
        a = layer_norm(x, params[p + "ln1.gamma"], params[p + "ln1.beta"], 1e-5)
        out = x + params[p + "attn.b_o"]
        for h in range(2):
            Q, K, V = (a @ params[p + f"attn.W_{w}"][h] for w in "qkv")
            scores = Q @ K.swapaxes(-1, -2) / np.sqrt(Q.shape[-1])
            scores = np.where(np.tril(np.ones((n, n), bool)), scores, -np.inf)
            out = out + softmax(scores) @ V @ params[p + "attn.W_o"][h]
        x = out
    f = layer_norm(x, params["ln_f.gamma"], params["ln_f.beta"], 1e-5)
    np.testing.assert_allclose(gpt.forward(params, ids), f @ params["tok_emb"].T, atol=1e-12)


def test_mean_ablation_puts_each_positions_batch_mean_in_place_of_the_head(attention_only):
    params, ids, _ = attention_only
    keep = []
    gpt.forward(params, ids, keep=keep)
    heads_out = keep[0]["heads"]  # (B, H, n, d_head) of layer 0
    ablated = []
    gpt.forward(params, ids, ablate=[(0, 1)], ablation="mean", keep=ablated)
    got = ablated[0]["heads"]
    for b in range(ids.shape[0]):  # head 1 becomes its mean over the batch at each position; head 0 is untouched
        for t in range(ids.shape[1]):
            np.testing.assert_allclose(got[b, 1, t], heads_out[:, 1, t].mean(axis=0), atol=1e-12)
    np.testing.assert_array_equal(got[:, 0], heads_out[:, 0])
    zero = gpt.forward(params, ids, ablate=[(0, 1)])  # the default: zero
    assert not np.allclose(zero, gpt.forward(params, ids, ablate=[(0, 1)], ablation="mean"))
    with pytest.raises(ValueError, match="at least 2 sequences"):  # over one sequence the mean changes nothing
        gpt.forward(params, ids[:1], ablate=[(0, 1)], ablation="mean")
    np.testing.assert_allclose(  # with nothing switched off, one sequence is fine
        gpt.forward(params, ids[:1], ablation="mean"), gpt.forward(params, ids[:1]), atol=1e-12
    )
    for bad in (False, 0.0, -1):
        with pytest.raises((TypeError, ValueError), match="d_ff"):
            gpt.GPTConfig(6, 5, 2, 8, 2, d_ff=bad)
    with pytest.raises(ValueError, match="ablation must be one of"):
        gpt.forward(params, ids, ablate=[(0, 1)], ablation="resample")


def test_induction_score_against_a_loop_and_where_it_differs_from_its_neighbours():
    r = np.random.default_rng(4)
    for L in (1, 3, 8):
        n = 2 * L
        scores = np.where(np.tril(np.ones((n, n), bool)), r.normal(size=(2, 3, n, n)), -np.inf)
        weights = softmax(scores)
        loop = np.zeros((2, 3))
        for idx in np.ndindex(2, 3):
            loop[idx] = sum(weights[idx][t, t - L + 1] for t in range(L, 2 * L)) / L
        np.testing.assert_allclose(induction_score(weights, L), loop, atol=1e-12)
    n, L = 8, 4  # a head that looks exactly there scores 1; the diagonals beside it, and the first copy, score 0
    for offset, want in ((L - 1, 1.0), (L, 0.0), (L - 2, 0.0), (1, 0.0)):
        weights = np.zeros((n, n))
        for t in range(n):
            weights[t, max(t - offset, 0)] = 1.0
        assert induction_score(weights, L) == pytest.approx(want), offset
    weights = np.zeros((4, 4))  # L = 2: the diagonal -1, but only the first copy's query 1 is on it
    weights[:, 0] = 1.0
    assert weights[1, 0] == 1.0 and induction_score(weights, 2) == pytest.approx(0.0)


def test_attend_with_cache_keeps_float32():
    rng = np.random.default_rng(0)
    q, K, V, k, v = (rng.normal(size=s).astype(np.float32) for s in ((4,), (3, 4), (3, 2), (4,), (2,)))
    out, K2, V2 = gpt.attend_with_cache(q, K, V, k, v)
    assert out.dtype == K2.dtype == V2.dtype == np.float32
    wide = gpt.attend_with_cache(*(a.astype(np.float64) for a in (q, K, V, k, v)))[0]
    np.testing.assert_allclose(out, wide, rtol=1e-5)


# ---------------------------------------------------------------- scripts/induction_experiments.py: the markov task
def test_the_markov_task_draws_each_sequence_from_its_own_chain_seeded():
    from scripts.induction_experiments import markov

    a, b = markov(8, 32, 4, 0.2, np.random.default_rng(0)), markov(8, 32, 4, 0.2, np.random.default_rng(0))
    assert a.shape == (4, 33) and a.dtype == np.int64 and a.min() >= 0 and a.max() < 8 and np.array_equal(a, b)
    peaked = markov(6, 400, 3, 0.01, np.random.default_rng(1))  # alpha 0.01: each token has one likely successor
    for row in peaked:  # within a sequence, the successor of a token is nearly always the same one
        pairs = list(zip(row[:-1].tolist(), row[1:].tolist(), strict=True))
        top = {x: max(np.bincount([y for t, y in pairs if t == x], minlength=6)) for x in set(row[:-1])}
        assert sum(top.values()) / len(pairs) > 0.9
    other = [tuple(np.argmax(np.bincount(r[1:][r[:-1] == x], minlength=6)) for x in range(6)) for r in peaked]
    assert len(set(other)) > 1  # and the chains differ from sequence to sequence


def test_the_matched_score_is_the_weight_after_earlier_occurrences_as_a_loop_computes_it():
    from scripts.induction_experiments import matched_score

    rng = np.random.default_rng(3)
    ids = rng.integers(0, 3, size=(2, 8))
    maps = rng.random((2, 2, 5, 8, 8))  # (layers, batch, heads, n, n), rows need not sum to 1 here
    want = np.zeros((2, 5))
    for b in range(2):
        for i in range(4, 8):
            for j in range(1, i + 1):
                if ids[b, j - 1] == ids[b, i]:
                    want += maps[:, b, :, i, j] / (2 * 4)
    assert np.allclose(matched_score(maps, ids), want)


def test_the_ablation_rows_agree_with_the_loss_per_position_helper():
    from helpers.gpt.heads import loss_per_position
    from scripts.induction_experiments import ablations, repeated

    params = gpt.init_params(gpt.GPTConfig(8, 24, 2, 16, 2, d_ff=0), seed=4)
    rows = ablations(params, 8, 24)
    assert [(r[0], r[1]) for r in rows] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    full = repeated(8, 12, 64, 24, seed=999)
    for layer, head, zero, mean in rows:
        assert np.isclose(zero, loss_per_position(params, full, ablate=[(layer, head)])[12:].mean(), atol=1e-5)
        assert np.isfinite(mean)
