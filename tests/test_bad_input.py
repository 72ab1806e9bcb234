"""Bad input gets a clear error, never a silent NaN or a raw numpy message: the cases a learner found, then a table over
every public function."""

import functools
import importlib
import inspect
from pathlib import Path

import numpy as np
import pytest

import helpers as h
from helpers import checks, describe, exercises, experiments, gpt, llm, minilm, plots, steps, training
from helpers import widgets as w
from helpers.app import friendly, visible
from helpers.embeddings import UnknownWordError, WordVectors, load_glove, tokenize, toy_vectors
from helpers.files import ModelFileError, mismatched_shapes

F32 = np.float32


# ---------------------------------------------------------------- the cases found by trying ~1,400 inputs
@pytest.mark.parametrize(
    "Q", [np.full((2, 2), 1e200), np.full((2, 2), 1e20, dtype=F32), np.array([[1e200, 0.0], [-1e200, 1.0]])]
)
def test_blockwise_overflow_is_the_same_clear_error(Q):
    with pytest.raises(ValueError, match="overflowed"):
        h.scaled_dot_product_attention(Q, Q, Q)
    with pytest.raises(ValueError, match="overflowed"):
        h.blockwise_attention(Q, Q, Q)


@pytest.mark.parametrize(
    "A, want",
    [([[1e200, 1e200]], 1.0), ([[3e19, 4e19]], 1.0), ([[1e-200, 2e-200]], 1.0), ([[1e-320, 1e-320]], 1.0)],
)
def test_cosine_of_huge_and_tiny_vectors(A, want):
    for dtype in (np.float64, F32):
        info = np.finfo(dtype)
        if not (info.smallest_subnormal <= np.abs(A).min() and np.abs(A).max() <= info.max):
            continue  # not representable in this dtype
        M = np.asarray(A, dtype=dtype)
        np.testing.assert_allclose(h.cosine_similarity(M), [[want]], rtol=1e-6)
    np.testing.assert_allclose(h.cosine_similarity([[1e200, 0.0]], [[1e200, 1e200]]), [[np.sqrt(0.5)]])


def test_an_additive_mask_is_recognised():
    additive = np.where(h.causal_mask(3), 0.0, -np.inf)
    with pytest.raises(TypeError, match=r"additive.*np\.isfinite\(mask\)"):
        h.scaled_dot_product_attention(np.eye(3), np.eye(3), np.eye(3), mask=additive)
    # the advice is right: converted, it gives the causal weights
    _, w = h.scaled_dot_product_attention(np.eye(3), np.eye(3), np.eye(3), mask=np.isfinite(additive))
    assert (w[~h.causal_mask(3)] == 0).all()
    with pytest.raises(TypeError, match=r"0/1 mask \(1 = may attend\) use mask\.astype\(bool\)"):
        h.scaled_dot_product_attention(np.eye(3), np.eye(3), np.eye(3), mask=h.causal_mask(3).astype(int))


def test_float32_weights_cast_to_float64_are_weights():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    w32 = h.softmax(rng.normal(size=(300, 300)).astype(F32))
    out = h.contextual_embeddings(X, w32.astype(np.float64))
    np.testing.assert_allclose(out, w32.astype(np.float64) @ X)
    with pytest.raises(ValueError, match=r"sums to 1\.3\b"):  # enough digits to see the error
        h.contextual_embeddings(X[:2], [[0.65, 0.65], [0.5, 0.5]])
    with pytest.raises(ValueError, match=r"sums to 1\.0001\b"):
        h.contextual_embeddings(X[:2], [[0.5001, 0.5], [0.5, 0.5]])


def test_softmax_tiny_temperature_is_one_hot_and_huge_scores_are_not_masked():
    np.testing.assert_array_equal(h.softmax([1.0, 2.0], temperature=1e-308), [0.0, 1.0])
    np.testing.assert_array_equal(h.softmax(np.array([1.0, 2.0], dtype=F32), temperature=1e-300), [0.0, 1.0])
    np.testing.assert_allclose(h.softmax([-1e308, -1e308], temperature=1e-3), [0.5, 0.5])
    np.testing.assert_array_equal(h.softmax([1e308, -1e308]), [1.0, 0.0])
    big = np.full((2, 2), 1e200)  # Q K^T overflows to -inf: that is an overflow, not a mask
    with pytest.raises(ValueError, match="overflowed"):
        h.scaled_dot_product_attention(big, -big, big)
    with pytest.raises(ValueError, match="overflowed"):
        h.self_attention([[1e200, -1e200], [-1e200, 1e200]])


@pytest.mark.parametrize(
    "text, words",
    [
        ("résumé", ["resume"]),
        ("Café au LAIT", ["cafe", "au", "lait"]),
        ("ｂａｎｋ", ["bank"]),
        ("naïve bank", ["naive", "bank"]),
    ],
)
def test_glove_tokenizer_normalises_like_the_models(text, words):
    assert tokenize(text) == words


@pytest.mark.parametrize("text", ["銀行", "بنك", "🏦💰", "Ωμέγα"])
def test_no_english_words_is_said_so(text):
    with pytest.raises(ValueError, match="no English words found"):
        tokenize(text)


@pytest.mark.parametrize(
    "call, err, words",
    [
        (lambda g: g.embed(b"bank"), TypeError, "text .str. or a list"),
        (lambda g: g.embed([None]), TypeError, "word must be text"),
        (lambda g: g.embed(123), TypeError, "text .str. or a list"),
        (lambda g: g.embed([]), ValueError, "empty"),
        (lambda g: g.vector(None), TypeError, "word must be text"),
        (lambda g: g.nearest("bank", k=-1), ValueError, "at least 1"),
        (lambda g: g.nearest("bank", k=2.5), TypeError, "whole number"),
        (lambda g: g.suggest(7), TypeError, "word must be text"),
    ],
)
def test_word_vectors_bad_input(call, err, words, toy):
    with pytest.raises(err, match=words):
        call(toy)


def test_vector_of_an_accented_word_finds_it(toy):
    np.testing.assert_array_equal(toy.vector("Bánk"), toy.vector("bank"))


def test_sentence_box_does_not_echo_control_characters():
    message = friendly(UnknownWordError("abc\u202edef", []))
    assert "\u202e" not in message and "&lt;U+202E&gt;" in message
    assert visible("a\u200bb\x07c\nd") == "a<U+200B>b<U+0007>c\nd"
    assert visible("plain words, é and 銀行") == "plain words, é and 銀行"


@pytest.mark.parametrize(
    "call, err, words",
    [
        (
            lambda X, Ws: h.contextual_embeddings(np.ones((2, 3, 4)), np.full((3, 3, 3), 1 / 3)),
            ValueError,
            "batch dimensions of weights",
        ),
        (
            lambda X, Ws: h.blockwise_attention(np.ones((2, 3, 4)), np.ones((3, 3, 4)), np.ones((3, 3, 4))),
            ValueError,
            "batch dimensions of Q",
        ),
        (lambda X, Ws: h.multi_head_attention_loop(X, *Ws[:3], np.ones((4, 3)), n_heads=2), ValueError, "W_o must be"),
        (lambda X, Ws: h.scaled_dot_product_attention(X, X, X, mask=[[True, False], [True]]), TypeError, "rectangular"),
        (
            lambda X, Ws: h.multi_head_attention(X, *Ws, n_heads=2, biases=[np.ones(4)] * 4),
            TypeError,
            "biases must be a dict",
        ),
        (lambda X, Ws: h.split_heads(X, 0), ValueError, "n_heads must be at least 1"),
        (lambda X, Ws: h.split_heads(X, 3), ValueError, "not divisible"),
        (lambda X, Ws: h.merge_heads(X), ValueError, "n_heads, n, d_head|shape"),
        (lambda X, Ws: h.softmax(X, axis=1.5), TypeError, "axis must be a whole number"),
        (lambda X, Ws: h.softmax(X, axis=2), ValueError, "out of range"),
        (lambda X, Ws: h.self_attention(X, scaled="no"), TypeError, "scaled must be True or False"),
        (lambda X, Ws: h.entropy(X, axis="x"), TypeError, "axis"),
        (lambda X, Ws: h.sum_normalize(X, axis=5), ValueError, "out of range"),
    ],
)
def test_raw_numpy_errors_are_named(call, err, words):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3, 4))
    Ws = [rng.normal(size=(4, 4)) for _ in range(4)]
    if "mask=" in inspect.getsource(call):
        X = X[:2]
    with pytest.raises(err, match=words):
        call(X, Ws)


def test_multi_head_float32_with_list_biases_stays_float32():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3, 4)).astype(F32)
    Ws = [rng.normal(size=(4, 4)).astype(F32) for _ in range(4)]
    out, w = h.multi_head_attention(
        X, *Ws, n_heads=2, biases={k: [0.1, 0.2, 0.3, 0.4] for k in ("b_q", "b_k", "b_v", "b_o")}
    )
    assert out.dtype == F32 and w.dtype == F32


# ---------------------------------------------------------------- the model
@pytest.mark.parametrize(
    "ids, err, words",
    [
        ([101, -1, 102], ValueError, "not in the vocabulary"),
        ([101, 30522, 102], ValueError, "not in the vocabulary"),
        ([101.0, 2000.0, 102.0], TypeError, "whole numbers"),
        ([[101, 102], [101]], TypeError, "rectangular"),
        ([], ValueError, "at least one token"),
        ([101] * 513, ValueError, "at most 512"),
    ],
)
def test_model_ids_are_checked(model, ids, err, words):
    with pytest.raises(err, match=words):
        model.forward(ids)


def test_encode_batch_needs_a_list_of_sentences(model):
    with pytest.raises(TypeError, match="list of sentences"):
        model.encode_batch("bank")
    with pytest.raises(TypeError, match="text"):
        model.encode_batch(["bank", 3])


def test_explorer_refuses_a_long_sentence_before_running_the_model(model, monkeypatch):
    def must_not_run(sentence):
        raise AssertionError("the model ran on a sentence that is refused anyway")

    monkeypatch.setattr(model, "encode", must_not_run)
    with pytest.raises(ValueError, match="tokens"):
        steps.minilm_step(model, "bank " * 500, 1, 0)


# ---------------------------------------------------------------- exercises
@pytest.mark.parametrize("key", exercises.exercise_ids())
def test_check_exercise_never_raises_and_no_hint_ends_in_two_dots(key):
    for answer in (10**400, -(10**400), float("inf"), "x" * 10_000, b"bytes", [None], {1, 2}):
        fb = exercises.check_exercise(key, answer)
        assert not fb.ok and fb.message and not fb.message.endswith("..")


# ---------------------------------------------------------------- a table over every public function
@functools.lru_cache(maxsize=1)
def _glove():
    return load_glove()


@functools.lru_cache(maxsize=1)
def _model():
    return minilm.load()


@functools.cache
def _small():
    return gpt.GPTConfig(vocab_size=5, context=4, n_layers=1, d_model=4, n_heads=2, d_ff=8)


def _small_params():
    return gpt.init_params(_small(), seed=0, dtype=np.float64)


def _tok():
    return gpt.CharTokenizer("abc")


@functools.cache
def _tiny():
    return gpt.load_tiny_gpt()


BAD = {
    # helpers.attention
    "softmax": [
        (lambda: h.softmax([]), ValueError, "empty"),
        (lambda: h.softmax([1.0, np.nan]), ValueError, "NaN"),
        (lambda: h.softmax([1.0], temperature=0), ValueError, "> 0"),
    ],
    "dot_similarity": [
        (lambda: h.dot_similarity(np.ones((2, 3)), np.ones((2, 4))), ValueError, "same vector length"),
        (lambda: h.dot_similarity(np.full((1, 3), 1e200)), ValueError, "overflowed to inf"),
    ],
    "cosine_similarity": [(lambda: h.cosine_similarity([[0.0, 0.0]]), ValueError, "zero vector")],
    "check_row_stochastic": [(lambda: checks.check_row_stochastic([[-0.5, 1.5]]), ValueError, ">= 0")],
    "contextual_embeddings": [
        (lambda: h.contextual_embeddings(np.ones((2, 3)), np.full((2, 3), 1 / 3)), ValueError, "columns")
    ],
    "self_attention": [(lambda: h.self_attention(np.ones(3)), ValueError, r"\(n, d\)")],
    "scaled_dot_product_attention": [
        (
            lambda: h.scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 4))),
            ValueError,
            "share d_k",
        )
    ],
    "causal_mask": [
        (lambda: h.causal_mask(0), ValueError, "at least 1"),
        (lambda: h.causal_mask(2.0), TypeError, "whole number"),
        (lambda: h.causal_mask(10**6), ValueError, "mask would take 931.3 GiB"),
    ],
    "check_mask_size": [(lambda: checks.check_mask_size(50_000), ValueError, "the most this builds is 2 GiB")],
    "split_heads": [(lambda: h.split_heads(np.ones((2, 6)), -1), ValueError, "at least 1")],
    "merge_heads": [(lambda: h.merge_heads(np.ones((2, 3))), ValueError, "shape")],
    "multi_head_attention": [
        (lambda: h.multi_head_attention(np.ones((2, 6)), *[np.eye(6)] * 4, n_heads=4), ValueError, "divisible")
    ],
    "multi_head_attention_loop": [
        (lambda: h.multi_head_attention_loop(np.ones((2, 6)), *[np.eye(6)] * 4, n_heads=4), ValueError, "divisible")
    ],
    "sum_normalize": [(lambda: h.sum_normalize([1.0, -1.0]), ValueError, "sum to 0")],
    "padding_mask": [(lambda: h.padding_mask([0], 3), ValueError, "between 1 and n")],
    "pad_batch": [(lambda: h.pad_batch([]), ValueError, "empty")],
    "entropy": [(lambda: h.entropy([np.inf]), ValueError, "inf")],
    "blockwise_attention": [
        (
            lambda: h.blockwise_attention(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 3)), mask="future"),
            TypeError,
            "causal=True",
        )
    ],
    "online_softmax_update": [
        (
            lambda: h.online_softmax_update(
                np.zeros((2, 1)), np.ones((2, 1)), np.zeros((2, 3)), np.ones((2, 4)), np.ones((5, 3))
            ),
            ValueError,
            "must fit",
        ),
        (
            lambda: h.online_softmax_update(
                np.zeros(2), np.ones(2), np.zeros((2, 3)), np.ones((2, 4)), np.ones((4, 3))
            ),
            ValueError,
            r"\(\.\.\., 1\)",
        ),
        (
            lambda: h.online_softmax_update(
                np.zeros((1, 1)), np.ones((1, 1)), np.zeros((1, 3)), [[np.nan]], np.ones((1, 3))
            ),
            ValueError,
            "NaN|finite",
        ),
    ],
    "online_softmax_steps": [
        (lambda: h.online_softmax_steps([1.0, 2.0], np.ones((3, 2)), 1), ValueError, r"\(n, d_v\)")
    ],
    # helpers.positions
    "positional_encoding": [
        (lambda: h.positional_encoding(-2, 4), ValueError, "at least 0"),
        (lambda: h.positional_encoding(10**6, 512), ValueError, "3.8 GiB"),
        (lambda: h.positional_encoding(10**12, 4), ValueError, "GiB"),
        (lambda: h.positional_encoding(3, 64, base=1e-320), ValueError, "angles overflowed"),
    ],
    "apply_rope": [
        (lambda: h.apply_rope(np.ones((2, 3))), ValueError, "even"),
        (lambda: h.apply_rope(np.ones((1, 4)), [1e308], base=0.1), ValueError, "angles overflowed"),
    ],
    "pca_positions": [(lambda: h.positions.pca_positions(np.ones((3, 4)), 5), ValueError, "at least d")],
    "word_order_step": [
        (lambda: steps.word_order_step(toy_vectors(), "money bank", 0, "learned"), ValueError, "position table"),
        (lambda: steps.word_order_step(toy_vectors(), "money bank", 0, "alphabetical"), ValueError, "unknown encoding"),
    ],
    "permute": [
        (lambda: h.permute(np.ones((2, 2)), [1, 1]), ValueError, "once"),
        (lambda: h.permute(np.ones((3, 2)), 0), ValueError, "each of the 3 positions once"),
    ],
    "softmax_backward": [(lambda: h.softmax_backward(np.ones((2, 3)), np.ones((3, 2))), ValueError, "same shape")],
    "attention_backward": [
        (
            lambda: h.attention_backward(np.ones((2, 3)), np.ones((2, 3)), np.ones((2, 2)), np.ones((2, 3))),
            ValueError,
            "output's shape",
        )
    ],
    # helpers.training
    "read_number": [
        (lambda: exercises.registry.read_number("seven"), exercises.MalformedAnswer, "a number"),
        (lambda: exercises.registry.read_number([7]), exercises.MalformedAnswer, "a number"),
    ],
    "read_shape": [(lambda: exercises.registry.read_shape("2x3"), exercises.MalformedAnswer, "tuple of whole numbers")],
    "read_choice": [(lambda: exercises.registry.read_choice(3), exercises.MalformedAnswer, "as a string")],
    "read_array": [(lambda: exercises.registry.read_array([[1.0]], (2,)), exercises.MalformedAnswer, "shape")],
    "routine": [
        (lambda: exercises.registry.routine("99.9", "colour", lambda: 1, "", ""), ValueError, "number, shape or")
    ],
    "check_qkv": [
        (
            lambda: h.scaled_dot_product_attention(np.ones((2, 3)), np.ones((2, 4)), np.ones((2, 3))),
            ValueError,
            "share d_k",
        )
    ],
    "check_projections": [
        (lambda: h.multi_head_attention(np.ones((2, 4)), *[np.eye(3)] * 4, n_heads=2), ValueError, "W_q must be")
    ],
    "check_biases": [
        (lambda: h.multi_head_attention(np.ones((2, 4)), *[np.eye(4)] * 4, n_heads=2, biases=[1]), TypeError, "dict")
    ],
    "check_head_gains": [
        (
            lambda: h.multi_head_attention(np.ones((2, 4)), *[np.eye(4)] * 4, n_heads=2, head_gains=[1.0]),
            ValueError,
            "one entry per head",
        )
    ],
    "log_softmax": [(lambda: h.layers.log_softmax([1.0, np.nan]), ValueError, "NaN")],
    "cross_entropy": [(lambda: h.layers.cross_entropy(np.zeros((2, 3)), np.array([0, 3])), ValueError, "0 to 2")],
    "check_targets": [(lambda: h.layers.check_targets([0.5], (1, 3)), ValueError, "whole numbers")],
    "cross_entropy_backward": [
        (lambda: h.gradients.cross_entropy_backward(np.zeros((2, 3)), np.array([0])), ValueError, "shape")
    ],
    "gelu_backward": [
        (lambda: h.gradients.gelu_backward(np.ones(3), np.ones(2)), ValueError, "same shape"),
        (lambda: h.gradients.gelu_backward(np.ones(3), np.ones(3), approximate="no"), TypeError, "True or False"),
    ],
    "layer_norm_backward": [
        (lambda: h.gradients.layer_norm_backward(np.ones((2, 3)), np.ones(2), np.ones((2, 3))), ValueError, "gamma"),
        (
            lambda: h.gradients.layer_norm_backward(np.ones((2, 3)), np.array([1, np.nan, 1]), np.ones((2, 3))),
            ValueError,
            "gamma contains",
        ),
        (
            lambda: h.gradients.layer_norm_backward(np.ones((2, 3)), np.ones(3), np.ones((2, 3)), eps=-1.0),
            ValueError,
            "eps must be",
        ),
    ],
    # helpers.gpt
    "CharTokenizer.encode": [(lambda: _tok().encode(5), TypeError, "text")],
    "CharTokenizer.decode": [(lambda: _tok().decode([[0]]), TypeError, "1-D")],
    "CharTokenizer.from_text": [(lambda: gpt.CharTokenizer.from_text(""), ValueError, "non-empty")],
    "split_text": [(lambda: gpt.split_text("abc", 1.5), ValueError, "between 0 and 1")],
    "load_text": [(lambda: gpt.load_text(Path("/nonexistent/botchan.txt")), ModelFileError, "missing")],
    "param_shapes": [(lambda: gpt.param_shapes({"d_model": 8}), TypeError, "GPTConfig")],
    "init_params": [
        (lambda: gpt.init_params("small"), TypeError, "GPTConfig"),
        (lambda: gpt.init_params(_small(), dtype=np.int32), TypeError, "dtype must be a float type"),
        (lambda: gpt.init_params(_small(), seed=1.5), TypeError, "seed must be a whole number"),
        (
            lambda: gpt.init_params(gpt.GPTConfig(vocab_size=10**12, context=4, n_layers=1, d_model=4, n_heads=2)),
            ValueError,
            "the most this builds is 4 GiB",
        ),
    ],
    "config_of": [(lambda: gpt.config_of({"tok_emb": np.ones((3, 4))}), ValueError, "dict of a GPT")],
    "check_ids": [(lambda: gpt.model.check_ids(np.array([[0.5]]), _small()), TypeError, "whole numbers")],
    "loss_and_grads": [
        (lambda: gpt.loss_and_grads(_small_params(), np.zeros((1, 3), int), np.zeros((1, 2), int)), ValueError, "shape")
    ],
    "get_batch": [(lambda: gpt.get_batch(np.arange(4), 2, 8, np.random.default_rng()), ValueError, "longer than")],
    "lr_at": [(lambda: gpt.lr_at(10, 5, 1e-3, 2), ValueError, "step must be")],
    "clip_by_global_norm": [
        (lambda: gpt.clip_by_global_norm({"w": np.array([np.nan])}, 1.0), FloatingPointError, "NaN")
    ],
    "AdamW.update": [(lambda: gpt.AdamW().update({"w": np.ones(2)}, {}, 0.1), ValueError, "names and shapes")],
    "evaluate": [(lambda: gpt.evaluate(_small_params(), np.arange(3)), ValueError, "longer than")],
    "bigram_loss": [(lambda: gpt.bigram_loss(np.array([0, 9]), np.array([0, 1]), 3), ValueError, "train must be")],
    "next_token_probs": [(lambda: gpt.next_token_probs(np.zeros((2, 3))), ValueError, "one position")],
    "sample_next": [
        (lambda: gpt.sample_next([1.0, 2.0], top_k=3), ValueError, "top_k"),
        (lambda: gpt.sample_next([1.0, 2.0], rng="a"), TypeError, "rng must be a numpy Generator"),
    ],
    "generate": [
        (lambda: gpt.generate(_tiny(), "I", 0), ValueError, "n_tokens"),
        (lambda: gpt.generate(_tiny(), "I", 3, seed=1.5), TypeError, "seed must be a whole number"),
    ],
    "TinyGPT.encode": [(lambda: _tiny().encode("\u00e9"), ValueError, "not in the vocabulary")],
    "TinyGPT.decode": [(lambda: _tiny().decode([-1]), ValueError, "not in the vocabulary")],
    "TinyGPT.logits": [(lambda: _tiny().logits(np.zeros((1, 2), int)), ValueError, "one sequence")],
    "load_tiny_gpt": [(lambda: gpt.load_tiny_gpt(record_path=Path("/nonexistent.json")), ModelFileError, "missing")],
    "save_tiny_gpt": [(lambda: gpt.tiny.save_tiny_gpt({}, "ab", {}), ValueError, "dict of a GPT")],
    "attention_maps": [(lambda: gpt.heads.attention_maps(_small_params(), np.array([9])), ValueError, "token ids")],
    "previous_token_scores": [
        (lambda: gpt.heads.previous_token_scores(_small_params(), np.zeros((1, 9), int)), ValueError, "at most 4")
    ],
    "repeated_snippets": [(lambda: gpt.heads.repeated_snippets(np.arange(5), 0, 2), ValueError, "length")],
    "induction_scores": [
        (lambda: gpt.heads.induction_scores(_small_params(), np.zeros((1, 9), int)), ValueError, "at most")
    ],
    "loss_per_position": [
        (lambda: gpt.heads.loss_per_position(_small_params(), np.zeros(5, int)), ValueError, "n inputs and one more")
    ],
    "windows": [(lambda: gpt.heads.windows(np.arange(3), 4), ValueError, "at least 5")],
    "loss_on": [(lambda: gpt.heads.loss_on(_small_params(), np.arange(3)), ValueError, "at least 5")],
    "run_prompt": [(lambda: steps.run_prompt(_tiny(), ""), ValueError, "at least one character")],
    "next_character_step": [
        (lambda: steps.next_character_step(_tiny(), "I", 1.0, 5, 9, 0), ValueError, "layer must be")
    ],
    "grouped_query_attention": [
        (
            lambda: h.grouped_query_attention(np.ones((3, 2, 2)), np.ones((2, 2, 2)), np.ones((2, 2, 2))),
            ValueError,
            "divide",
        )
    ],
    "sliding_window_mask": [
        (lambda: h.sliding_window_mask(4, 2, sinks=-1), ValueError, "sinks"),
        (lambda: h.sliding_window_mask(10**6, 128), ValueError, "mask would take"),
    ],
    "gelu": [
        (lambda: h.layers.gelu(np.array([1.0, 2.0]), approximate="no"), TypeError, "approximate must be True or False"),
        (lambda: h.layers.gelu(np.array([1.0, np.nan])), ValueError, "NaN and inf are not allowed"),
        (lambda: h.layers.gelu([[1, 2], [3]]), TypeError, "numeric array"),
    ],
    "attention_mask": [(lambda: gpt.model.attention_mask(4, window=0), ValueError, "window")],
    "KVCache.nbytes": [],
    "adam_step": [
        (
            lambda: training.adam_step([np.ones(2)], [np.ones(3)], [np.zeros(2)], [np.zeros(2)], 1, 0.1),
            ValueError,
            "must match",
        ),
        (
            lambda: training.adam_step([np.ones(2)], [np.ones(2)], [np.zeros(2)], [np.zeros(2)], 0, 0.1),
            ValueError,
            "at least 1",
        ),
    ],
    "previous_token_task": [(lambda: training.previous_token_task(n=0), ValueError, "at least 1")],
    "train": [
        (lambda: training.train(training.previous_token_task(n_sentences=2), steps=0), ValueError, "at least 1"),
        (lambda: training.train(training.previous_token_task(n_sentences=2), lr=-1.0), ValueError, "> 0"),
    ],
    "forward": [  # the previous-word task's and the GPT's
        (lambda: gpt.forward(_small_params(), np.array([0, 99])), ValueError, "token ids must be"),
        (
            lambda: training.forward(training.previous_token_task(n_sentences=2), np.ones((3, 4)), np.ones((16, 4))),
            ValueError,
            "W_q must be",
        ),
    ],
    "loss_and_gradients": [
        (
            lambda: training.loss_and_gradients(
                training.previous_token_task(n_sentences=2), np.ones((16, 4)), np.ones((16, 5))
            ),
            ValueError,
            "share d_k",
        )
    ],
    "previous_token_share": [
        (lambda: h.previous_token_share(np.ones((1, 1))), ValueError, "no query with a previous token")
    ],
    "induction_score": [
        (lambda: gpt.heads.induction_score(np.ones((4, 4)) / 4, 3), ValueError, r"\(\.\.\., 6, 6\)"),
        (lambda: gpt.heads.induction_score(np.ones((4, 4)) / 4, 0), ValueError, "at least 1"),
        (lambda: gpt.heads.induction_score(np.ones((4, 4)) / 4, 2.0), ValueError, "whole number"),
    ],
    "recorded_step": [
        (
            lambda: steps.recorded_step(training.train(training.previous_token_task(n_sentences=2), steps=2), 5),
            ValueError,
            "between 0 and 2",
        )
    ],
    # helpers.checks
    "as_float_array": [(lambda: h.softmax(["a"]), TypeError, "numeric")],
    "check_positive": [(lambda: h.softmax([1.0], temperature="hot"), TypeError, "real number")],
    "check_positive_int": [(lambda: h.causal_mask(True), TypeError, "whole number")],
    "check_bool": [(lambda: h.self_attention(np.eye(2), scaled=1), TypeError, "True or False")],
    "check_axis": [(lambda: h.softmax([1.0], axis=None), TypeError, "whole number")],
    "check_mask": [
        (
            lambda: h.scaled_dot_product_attention(np.eye(2), np.eye(2), np.eye(2), mask=np.ones((3, 3), bool)),
            ValueError,
            "cannot be broadcast",
        )
    ],
    # helpers.embeddings
    "normalize": [(lambda: tokenize(None), TypeError, "text")],
    "tokenize": [(lambda: tokenize("  "), ValueError, "empty")],
    "WordVectors.vector": [(lambda: toy_vectors().vector("bnak"), UnknownWordError, "Did you mean: bank")],
    "WordVectors.embed": [(lambda: _glove().embed("bank qqqzzz"), UnknownWordError, "not in the vocabulary")],
    "WordVectors.nearest": [(lambda: toy_vectors().nearest("bank", 0), ValueError, "at least 1")],
    "WordVectors.suggest": [(lambda: toy_vectors().suggest("bank", k=0), ValueError, "at least 1")],
    "WordVectors.from_table": [
        (lambda: WordVectors.from_table({"a": (1.0, 2.0), "b": (1.0,)}), ValueError, "same length")
    ],
    # helpers.experiments
    "dot_product_variance": [(lambda: experiments.dot_product_variance([]), ValueError, "at least one d_k")],
    "softmax_jacobian": [(lambda: experiments.softmax_jacobian(np.eye(2)), ValueError, "one row")],
    "random_query_keys": [(lambda: experiments.random_query_keys(0, 4), ValueError, "at least 1")],
    "saturation": [(lambda: experiments.saturation([4], n_keys=0), ValueError, "at least 1")],
    "CachedLabels.boxes": [(lambda: _labels_without_axes().boxes(100), ValueError, "on no axes")],
    "picture_bundle": [(lambda: plots.picture_bundle(b"GIF89a", "a picture"), ValueError, "bytes of a PNG")],
    "times_and_peaks": [
        (lambda: experiments.times_and_peaks([lambda: None], repeats=0), ValueError, "at least 1"),
        (lambda: experiments.times_and_peaks([]), ValueError, "at least one function"),
    ],
    "attention_cost": [(lambda: experiments.attention_cost([0]), ValueError, "at least 1")],
    "loglog_slope": [(lambda: experiments.loglog_slope([1.0], [1.0]), ValueError, "at least two")],
    # helpers.steps
    "sentence_vectors": [(lambda: steps.sentence_vectors(toy_vectors(), "bank " * 13), ValueError, "12 words")],
    "static_vector_step": [
        (lambda: steps.static_vector_step(toy_vectors(), "money grows", "bank"), ValueError, "not in the sentence")
    ],
    "weighted_sum_step": [
        (lambda: steps.weighted_sum_step(["a", "b"], np.ones((2, 2)), [0.0, 0.0]), ValueError, "sum to 0")
    ],
    "dot_product_step": [(lambda: steps.dot_product_step((2.0, 1.0), 30.0, 0.0), ValueError, "length 0")],
    "attention_step": [(lambda: steps.attention_step(toy_vectors(), "money bank", 0.0), ValueError, "> 0")],
    "rotation_scaling": [
        (lambda: steps.rotation_scaling("left", 1.0), TypeError, "angle_deg must be a finite real number")
    ],
    "qk_step": [(lambda: steps.qk_step(np.ones((3, 3)), 0.0, 1.0), ValueError, r"X2 must be \(n, 2\)")],
    "scaling_step": [(lambda: steps.scaling_step(0, True), ValueError, "at least 1")],
    "mask_step": [
        (lambda: steps.mask_step(np.ones((4, 2)), 2, "causal", 9), ValueError, "position must be between 0 and 3")
    ],
    "random_projections": [(lambda: h.random_projections(-2), ValueError, "at least 1")],
    "heads_step": [
        (lambda: steps.heads_step(_glove(), "the bank", n_heads=5, head=7), ValueError, "head must be between 0 and 4")
    ],
    "minilm_step": [
        (lambda: steps.minilm_step(_model(), "the bank", 1, 12), ValueError, "head must be between 0 and 11")
    ],
    "cost_step": [(lambda: steps.cost_step(8), ValueError, "at least 16")],
    "online_softmax_step": [
        (lambda: steps.online_softmax_step([1.0, 2.0], np.eye(2), 1, 3), ValueError, "between 1 and 2")
    ],
    # helpers.minilm
    "expected_shapes": [(lambda: minilm.MiniLM({}, ["[PAD]"], _model().config), minilm.ModelFileError, "word pieces")],
    "verify": [
        (lambda: minilm.verify(minilm.model_dir() / "nope.txt", "0", "Reinstall."), minilm.ModelFileError, "missing")
    ],
    "sha256_file": [(lambda: minilm.sha256_file(minilm.model_dir() / "nope.txt"), FileNotFoundError, "nope.txt")],
    "read_safetensors": [
        (lambda: minilm.read_safetensors(minilm.model_dir() / "vocab.txt"), ValueError, "not a safetensors file")
    ],
    "WordPieceTokenizer.basic_tokens": [(lambda: _model().tokenizer.basic_tokens(b"bank"), TypeError, "text")],
    "WordPieceTokenizer.wordpiece": [(lambda: _model().tokenizer.wordpiece(None), TypeError, "text")],
    "WordPieceTokenizer.encode": [(lambda: _model().tokenizer.encode("   "), ValueError, "empty")],
    "MiniLM.check_ids": [(lambda: _model().check_ids([[1, 2], [3]]), TypeError, "rectangular")],
    "WordPieceTokenizer.tokenize": [(lambda: _model().tokenizer.tokenize("?" * 600), ValueError, "at most 510")],
    "layer_norm": [
        (lambda: h.layer_norm(np.ones((2, 3)), np.ones(3), np.zeros(3), eps=-1), ValueError, "eps must be"),
        (lambda: h.layer_norm(np.array([[1.0, np.inf, 0]]), np.ones(3), np.zeros(3)), ValueError, "NaN and inf"),
        (lambda: h.layer_norm(np.ones((2, 3)), np.array([1, np.nan, 1]), np.zeros(3)), ValueError, "gamma contains"),
        (
            lambda: h.layer_norm(np.ones((2, 3)), np.ones(4), np.zeros(4)),
            ValueError,
            r"gamma and beta must be \(3,\)",
        ),
    ],
    "MiniLM.forward": [(lambda: _model().forward([-5]), ValueError, "not in the vocabulary")],
    "MiniLM.encode": [(lambda: _model().encode(""), ValueError, "empty")],
    "MiniLM.encode_batch": [(lambda: _model().encode_batch([]), ValueError, "at least one")],
    "token_index": [
        (lambda: minilm.token_index(_model().encode("the bank"), "river"), ValueError, "not among the tokens")
    ],
    "cosine_by_layer": [
        (
            lambda: minilm.cosine_by_layer(_model().encode("the bank"), _model().encode("a river"), "bank"),
            ValueError,
            "not among",
        )
    ],
    "MiniLM.head_gains": [(lambda: _model().head_gains([(9, 9)]), ValueError, "not a head")],
    "MiniLM.run_layers": [(lambda: _model().run_layers(np.ones((2, 5)), None, 0), ValueError, "must be")],
    "head_profile": [(lambda: minilm.head_profile([]), ValueError, "at least one")],
    "head_types": [(lambda: minilm.head_types({}), KeyError, "previous")],
    "ablation_sweep": [(lambda: minilm.ablation_sweep(_model(), ["the bank"], [(0, 99)]), ValueError, "not a head")],
    "bank_cosine_without": [
        (lambda: minilm.bank_cosine_without(_model(), ["the bank"], "bank", [(0, 0)]), ValueError, "two sentences")
    ],
    "Config.from_json": [(lambda: minilm.Config.from_json({}), minilm.ModelFileError, "config.json has no")],
    # helpers.plots
    "heatmap": [(lambda: plots.heatmap(np.ones((2, 2, 2))), ValueError, "2-D matrix")],
    "update_heatmap": [
        (lambda: plots.update_heatmap(plots.heatmap(np.eye(2)).axes[0], np.eye(3)), ValueError, "cells")
    ],
    "vectors_2d": [(lambda: plots.vectors_2d(np.ones((2, 2)), ["a"]), ValueError, "labels")],
    "update_vectors": [
        (
            lambda: plots.update_vectors(plots.vectors_2d(np.ones((2, 2)), ["a", "b"]).axes[0], np.ones((3, 2))),
            ValueError,
            "arrows",
        )
    ],
    "heatmaps_side_by_side": [(lambda: plots.heatmaps_side_by_side([np.eye(2)], [], [], []), ValueError, "need 1")],
    "attention_heatmaps": [
        (lambda: plots.attention_heatmaps([np.eye(2)], [["a", "b"]], [], ["t"]), ValueError, "need 1")
    ],
    "lines": [(lambda: plots.lines([1, 2], {"a": [1.0]}), ValueError, "shape")],
    "bars": [(lambda: plots.bars([1.0, 2.0], ["a"]), ValueError, "labels")],
    "CachedLabels.set_labels": [
        (lambda: plots.CachedLabels([(0.5, 0.5)]).set_labels(["1", "2"], ["k", "k"]), ValueError, "1 cells")
    ],
    "CachedLabels.set_centers": [
        (lambda: plots.CachedLabels([(0.5, 0.5)]).set_centers([(1.0, 2.0), (3.0, 4.0)]), ValueError, "1 labels")
    ],
    "update_bars": [(lambda: plots.update_bars(plots.bars([1.0], ["a"]).axes[0], [1.0, 2.0]), ValueError, "bars")],
    # helpers.describe
    "describe.attention": [
        (lambda: describe.attention(np.eye(2), ["a"], ["a", "b"]), ValueError, "1 query labels for 2 querys")
    ],
    "describe.heatmap": [(lambda: describe.heatmap(np.eye(2), None, ["x"]), ValueError, "column labels")],
    "describe.vectors": [(lambda: describe.vectors(np.ones((2, 3)), ["a", "b"]), ValueError, r"\(n, 2\)")],
    "describe.bars": [(lambda: describe.bars([1.0, 2.0], ["a"]), ValueError, "bar labels")],
    "describe.lines": [(lambda: describe.lines([1, 2], {"a": [1.0]}), ValueError, "shape")],
    "describe.heatmap_table": [(lambda: describe.heatmap_table(np.eye(2), None, ["x"]), ValueError, "column labels")],
    "describe.lines_table": [(lambda: describe.lines_table([1, 2], {"a": [1.0]}), ValueError, "shape")],
    "describe.bars_table": [(lambda: describe.bars_table([1.0, 2.0], ["a"]), ValueError, "row labels")],
    "describe.vectors_table": [
        (lambda: describe.vectors_table(np.ones((2, 3)), ["a", "b"]), ValueError, "2 column labels for 3")
    ],
    "describe.table_html": [(lambda: describe.table_html(np.eye(2), ["a"]), ValueError, "row labels")],
    # helpers.exercises: never raises for an answer (above); registering twice is refused
    "exercise": [(lambda: exercises.exercise("01.1")(lambda a: (True, "")), RuntimeError, "twice")],
}


# issue 26's cases: each failed (a traceback, numpy's words or no error) before its fix
_W = {"glove": None}


def _glove():
    _W["glove"] = _W["glove"] or load_glove()
    return _W["glove"]


ISSUE_26 = {
    "train": [
        (lambda: training.train(training.previous_token_task(n_sentences=4), steps=1, seed=-1), ValueError, "seed"),
        (lambda: training.train(training.previous_token_task(n_sentences=4), steps=1, seed=0.5), TypeError, "seed"),
        (lambda: training.train(training.previous_token_task(n_sentences=4), steps=1, seed="a"), TypeError, "seed"),
    ],
    "previous_token_task": [(lambda: training.previous_token_task(seed=-3), ValueError, "seed must be")],
    "static_vector_step": [(lambda: steps.static_vector_step(_glove(), "the bank", None), TypeError, "word must be")],
    "mask_step": [(lambda: steps.mask_step(np.ones((4, 3)), 4, "causal", 1.5), TypeError, "position must be")],
    "word_order_step": [
        (lambda: steps.word_order_step(_glove(), "dog bites man", "a", "none"), TypeError, "position must be")
    ],
    "online_softmax_step": [
        (lambda: steps.online_softmax_step(np.ones(4), np.eye(4), 2, 1.5), TypeError, "block must be")
    ],
    "word_order_explorer": [(lambda: w.word_order_explorer(_glove(), encoding="rope"), ValueError, "one of")],
    "mask_explorer": [(lambda: w.mask_explorer(_glove(), kind="bogus"), ValueError, "kind must be one of")],
    "scaling_explorer": [(lambda: w.scaling_explorer(d_k=3), ValueError, "d_k must be one of")],
    "training_explorer": [
        (lambda: w.training_explorer(training.previous_token_task(n_sentences=4), lr=0.3), ValueError, "lr must be")
    ],
    "online_softmax_explorer": [
        (lambda: w.online_softmax_explorer([], np.eye(1)), ValueError, "empty"),
        (lambda: w.online_softmax_explorer(np.ones(4), np.eye(4), 0), ValueError, "block_size"),
    ],
    "check_index": [(lambda: checks.check_index(True, 0, 3, "head"), TypeError, "whole number")],
    "check_seed": [(lambda: checks.check_seed(np.float64(1.0)), TypeError, "whole number")],
    "check_choice": [(lambda: checks.check_choice("x", ("a", "b"), "kind"), ValueError, "'a', 'b'")],
    "attention_backward": [
        (
            lambda: h.attention_backward(
                np.ones((2, 2)), np.ones((2, 2)), np.full((2, 2), 1e300), np.full((2, 2), 1e300)
            ),
            ValueError,
            "gradients overflowed",
        )
    ],
    "dot_product_step": [
        (lambda: steps.dot_product_step((2.0, 1.0), float("nan"), 1.5), TypeError, "the angle must be a finite"),
        (lambda: steps.dot_product_step((2.0, 1.0), 30.0, float("inf")), TypeError, "the length must be a finite"),
    ],
    "heads_step": [(lambda: steps.heads_step(_glove(), "money bank grows", 2, head=0.5), TypeError, "head must be")],
    "recorded_step": [
        (
            lambda: steps.recorded_step(training.train(training.previous_token_task(n_sentences=4), steps=2), 1.0),
            TypeError,
            "step must be a whole number",
        )
    ],
    "minilm_step": [(lambda: steps.minilm_step(minilm.load(), "the bank", 0.5, 0), TypeError, "layer")],
    "blockwise_attention": [
        (
            lambda: h.blockwise_attention(
                np.ones((1500, 4)), np.ones((1500, 4)), np.ones((1500, 4)), mask=np.arange(1500)[:, None] != 1400
            ),
            ValueError,
            "query 1400 has every key masked",
        )
    ],
    "App.save": [
        (lambda: w.dot_product_explorer().save("a" * 300, "/tmp"), ValueError, "300 characters"),
        (lambda: w.dot_product_explorer().save("fig", __file__), ValueError, "is a file, not a folder"),
    ],
}
for _name, _cases in ISSUE_26.items():
    BAD.setdefault(_name, []).extend(_cases)


@functools.cache
def _llm():
    return llm.load_smollm2()


_X = np.ones((1, 4))
# notebook 17: SmolLM2 in numpy, and the layer math it adds
LLM = {
    "rms_norm": [
        (lambda: h.layers.rms_norm(_X, np.ones(3)), ValueError, "gain must be \\(4,\\)"),
        (lambda: h.layers.rms_norm(_X, np.ones(4), eps=0), ValueError, "eps must be a finite number > 0"),
        (lambda: h.layers.rms_norm([[np.nan, 1.0]], np.ones(2)), ValueError, "NaN and inf are not allowed"),
    ],
    "swiglu": [
        (lambda: h.layers.swiglu(_X, np.ones((4, 3)), np.ones((4, 2)), np.ones((3, 4))), ValueError, "W_gate and W_up"),
        (lambda: h.layers.swiglu(_X, np.ones((4, 3)), np.ones((4, 3)), np.ones((4, 4))), ValueError, "W_down must be"),
    ],
    "silu": [
        (lambda: h.layers.silu("x"), TypeError, "must be a numeric"),
        (lambda: h.layers.silu([np.inf]), ValueError, "inf"),
    ],
    "stream": [(lambda: list(gpt.sample.stream(_tiny(), "", 3)), ValueError, "non-empty string")],
    "TinyGPT.prefill": [(lambda: _tiny().prefill(np.zeros((2, 3), int)), ValueError, "one sequence")],
    "TinyGPT.decode_step": [
        (lambda: _tiny().decode_step(5, gpt.KVCache()), ValueError, "layers"),
        (
            lambda: _tiny().decode_step(3, gpt.prefill(_small_params(), np.array([1, 2]))[1]),
            ValueError,
            "made by another model",
        ),
    ],
    "mismatched_shapes": [(lambda: mismatched_shapes([1], {}), TypeError, "must be dicts")],
    "config_from_metadata": [
        (lambda: llm.files.config_from_metadata({"general.architecture": "bert"}), ModelFileError, "'bert' model")
    ],
    "read_model": [(lambda: llm.read_model(Path("/nonexistent.gguf")), ModelFileError, "is missing")],
    "load_smollm2": [(lambda: llm.load_smollm2(Path("/nonexistent.gguf")), ModelFileError, "is missing")],
    "expected_shapes": [(lambda: llm.files.expected_shapes({"n_layers": 2}), TypeError, "LlamaConfig")],
    "check_shapes": [(lambda: llm.files.check_shapes({}, _llm().config), ModelFileError, "do not fit")],
    "pre_tokenize": [(lambda: llm.pre_tokenize(None), TypeError, "must be a str")],
    "ByteBPETokenizer.merge": [(lambda: _llm().tokenizer.merge(3), TypeError, "must be a str")],
    "ByteBPETokenizer.encode": [(lambda: _llm().tokenizer.encode(["a"]), TypeError, "must be a str")],
    "ByteBPETokenizer.decode": [(lambda: _llm().tokenizer.decode([-1]), ValueError, "not in the vocabulary")],
    "ByteBPETokenizer.pieces": [(lambda: _llm().tokenizer.pieces([10**6]), ValueError, "not in the vocabulary")],
    "SmolLM2.encode": [(lambda: _llm().encode(None), TypeError, "must be a str")],
    "SmolLM2.decode": [(lambda: _llm().decode([49152]), ValueError, "not in the vocabulary")],
    "SmolLM2.chat_prompt": [(lambda: _llm().chat_prompt("hi"), ValueError, "non-empty list")],
    "SmolLM2.check_ids": [(lambda: _llm().check_ids(np.array([[]], int)), ValueError, "n >= 1")],
    "SmolLM2.block": [(lambda: _llm().block(30, np.ones((1, 1, 576)), [0]), ValueError, "from 0 to 29")],
    "SmolLM2.forward": [(lambda: _llm().forward([1, 2], ablation="half"), ValueError, "ablation must be")],
    "SmolLM2.logits": [(lambda: _llm().logits(np.zeros((1, 2), int)), ValueError, "one sequence")],
    "SmolLM2.prefill": [(lambda: _llm().prefill(np.array([1.5])), TypeError, "whole numbers")],
    "SmolLM2.decode_step": [(lambda: _llm().decode_step(3, None), ValueError, "prefill returned")],
    "first_token_share": [(lambda: llm.heads.first_token_share(np.ones((2, 3))), ValueError, "square")],
    "repeated_tokens": [(lambda: llm.heads.repeated_tokens(_llm(), 1, 4), ValueError, "L must be")],
    "copy_losses": [(lambda: llm.heads.copy_losses(_llm(), np.ones((2, 5), int), 3), ValueError, "twice")],
    "token_losses": [(lambda: llm.heads.token_losses(_llm(), [5]), ValueError, "at least 2 tokens")],
    "streaming_losses": [
        (lambda: llm.heads.streaming_losses(_llm(), [1, 2, 3], 4, sinks=-1), ValueError, "sinks must be"),
        (lambda: llm.heads.streaming_losses(_llm(), [1, 2, 3], 0, sinks=4), ValueError, "window must be"),
    ],
    "run_tokens": [(lambda: steps.run_tokens(_llm(), ""), ValueError, "at least one character")],
    "next_token_step": [(lambda: steps.next_token_step(_llm(), "a", 1.0, 5, 30, 0), ValueError, "layer must be")],
    "token_label": [(lambda: steps.token_label(5), TypeError, "must be a str")],
    "median_seconds": [(lambda: llm.memory.median_seconds(lambda: None, 0), ValueError, "repeats must be")],
    "read_bandwidth": [(lambda: llm.memory.read_bandwidth(np.ones((4, 4), np.float32)), ValueError, "16 MiB")],
    "cache_bytes": [(lambda: llm.memory.cache_bytes(_llm().config, -1), ValueError, "n_tokens must be")],
    "decode_bytes": [(lambda: llm.memory.decode_bytes(_llm(), 3, batch=0), ValueError, "batch must be")],
    "decode_seconds": [(lambda: llm.memory.decode_seconds(_llm(), 1.5), ValueError, "batch must be")],
    "prefill_seconds": [(lambda: llm.memory.prefill_seconds(_llm(), 0), ValueError, "n_tokens must be")],
}
for _name, _cases in LLM.items():
    BAD.setdefault(_name, []).extend(_cases)

# public functions that take no input a learner could get wrong, or only draw what the tested math computed
NO_BAD_INPUT = {
    "time_limit",  # no input: the limit in force
    "numpy_changed",  # no input: what the running notebook did to numpy
    "plain",  # any value is shown as its text
    "toy_vectors",
    "load_glove",
    "exercise_ids",
    "check_exercise",
    "model_dir",
    "load",
    "overflow_error",
    "shape_label",
    "three_steps_diagram",
    "erf",
    "attention_to",
    "attention_to_previous",
    "cell_labels",
    "point_labels",
    "CachedLabels.draw",
    "CachedLabels.set",  # read or drawn by matplotlib, from what update_* set
    "DescribedFigure.set",
    "describe.diagram",
    "describe.several",  # matplotlib's own; any list of words is fine
    "implement_it_exercises",  # no arguments
    "workers",  # two sizes the fast path computes itself
    "char_label",  # any character has a label
    "byte_to_char",  # no input: a fixed table
    "model_path",  # no input: where the package is (a missing package: tests/test_llm.py)
    "LlamaConfig.n_params",
    "SmolLM2.nbytes",
    "decode_fast",  # takes what SmolLM2.decode_step checked (its bad-input case)
}


def _public_functions():
    names = set()
    for module in (
        "attention",
        "fast",
        "gradients",
        "blockwise",
        "layers",
        "files",
        "positions",
        "training",
        "checks",
        "embeddings",
        "experiments",
        "steps.common",
        "steps.vectors",
        "steps.attention",
        "steps.models",
        "gpt.text",
        "gpt.model",
        "gpt.backward",
        "gpt.train",
        "gpt.sample",
        "gpt.tiny",
        "gpt.heads",
        "steps.writing",
        "minilm.files",
        "minilm.tokenizer",
        "minilm.encoder",
        "minilm.heads",
        "llm.files",
        "llm.tokenizer",
        "llm.model",
        "llm.heads",
        "llm.memory",
        "llm.fast",
        "plots",
        "labels",
        "exercises.registry",
        "describe",
    ):
        mod = importlib.import_module(f"helpers.{module}")
        for name, obj in vars(mod).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != mod.__name__:
                continue
            if inspect.isfunction(obj):
                names.add(f"describe.{name}" if module == "describe" else name)  # its names repeat plots' names
            elif inspect.isclass(obj) and not issubclass(obj, Exception):
                names.update(
                    f"{name}.{m}"
                    for m, f in vars(obj).items()
                    if not m.startswith("_") and (inspect.isfunction(f) or isinstance(f, classmethod))
                )
    return names


def _labels_without_axes():
    from helpers.labels import CachedLabels

    labels = CachedLabels([(0.5, 0.5)])
    labels.set_labels(["0.50"], ["#000000"])
    return labels


def test_every_public_function_has_a_bad_input_case():
    missing = _public_functions() - set(BAD) - NO_BAD_INPUT
    assert not missing, f"add a bad-input case for: {sorted(missing)}"


@pytest.mark.parametrize(
    "name, call, err, words",
    [(name, *case) for name, cases in BAD.items() for case in cases],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_input_table(name, call, err, words):
    with pytest.raises(err, match=words) as info:
        call()
    message = str(info.value)
    assert message and not message.startswith(("operands could not", "cannot reshape", "setting an array element")), (
        message
    )
