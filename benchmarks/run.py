"""Benchmarks (not tests): slider latency, series run time, attention speed and memory, MiniLM.

    make benchmark                     # everything, about a minute
    .venv/bin/python benchmarks/run.py --sections attention minilm   # only some sections

Prints Markdown tables of medians measured in this one process, side by side, so that ratios
hold on a noisy machine. Sections:

- sliders: a control change in every widget kind of notebooks 01-13, in the kernel: the widget's
  compute (the tested math) + the in-place redraw + PNG encoding. The browser's share is not included.
- nbval: strict `pytest --nbval` wall time of the whole series.
- attention: scaled_dot_product_attention, blockwise_attention and multi_head_attention in float32,
  in GFLOP/s and as a fraction of this machine's float32 matrix-multiply peak, measured in the same
  run; the BLAS kernel numpy runs (threadpoolctl). The comparison with torch is benchmarks/vs_torch.py,
  which runs each side in its own process.
- minilm: the forward pass of notebook 11 for two short sentences.
- llm: SmolLM2-135M (notebook 17): loading, the time to the first token, decoding at batch 1 against the limit
  set by this machine's memory read rate (measured in the same process), and batches up to 32. The comparison
  with torch is benchmarks/llm_vs_torch.py, each side in its own process.

`--kernel-compare` repeats the attention section in a child process with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset (this command only; the tests never change them).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECTIONS = ("sliders", "nbval", "attention", "minilm", "gpt", "llm")


def median_seconds(fn, repeats=5, warmup=1):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# ---------------------------------------------------------------- sliders
def time_control(app, name, values, repeats):
    """Median and p90 in ms of setting one control to the values in turn, `repeats` changes in all."""
    control = app.controls[name]
    times = []
    for i in range(repeats):
        value = values[i % len(values)]
        if control.value == value:
            value = values[(i + 1) % len(values)]
        start = time.perf_counter()
        control.value = value
        times.append((time.perf_counter() - start) * 1e3)
        if app.error is not None:
            raise RuntimeError(f"{name}={value!r} gave an error: {app.error}")
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))]


def sliders(repeats):
    import matplotlib

    matplotlib.use("Agg")
    from helpers import minilm, steps
    from helpers import widgets as w
    from helpers.embeddings import load_glove, toy_vectors
    from helpers.gpt import load_tiny_gpt
    from helpers.positions import pca_positions
    from helpers.training import previous_token_task, train

    glove, toy, model, tiny = load_glove(), toy_vectors(), minilm.load(), load_tiny_gpt()
    learned = pca_positions(model.position_embeddings[:64], glove.dim)
    task = previous_token_task()
    sentences = ["we sat on the river bank", "i deposited cash at the bank", "money bank grows"]
    temps = list(np.round(np.geomspace(0.05, 20, 25), 3))
    s = np.array([1.0, 3.0, 0.5, 2.0, 4.0, -1.0, 0.0, 2.5])
    cases = [
        (
            "01 static vector: word box (GloVe)",
            lambda: w.static_vector_explorer(glove, "i deposited cash at the bank"),
            "word",
            ["bank", "cash", "deposited"],
        ),
        ("01 static vector: sentence box (GloVe)", lambda: w.static_vector_explorer(glove), "sentence", sentences),
        (
            "02 weighted sum: weight slider",
            lambda: w.weighted_sum_explorer(toy),
            "river",
            list(np.round(np.linspace(0, 1, 21), 2)),
        ),
        ("03 dot product: angle slider", w.dot_product_explorer, "angle_deg", list(range(0, 360, 5))),
        ("04 attention: temperature slider (toy)", lambda: w.attention_explorer(toy), "temperature", temps),
        (
            "04 attention: temperature slider (GloVe, 6 words)",
            lambda: w.attention_explorer(glove, "we sat on the river bank", 7.0),
            "temperature",
            temps,
        ),
        ("04 attention: sentence box (GloVe)", lambda: w.attention_explorer(glove), "sentence", sentences),
        ("05 Q/K/V: rotate W_q slider", lambda: w.qk_explorer(toy), "angle_deg", list(range(-180, 180, 15))),
        (
            "06 word order: position slider (sinusoidal)",
            lambda: w.word_order_explorer(glove, encoding="sinusoidal"),
            "position",
            [0, 1, 2],
        ),
        (
            "06 word order: encoding selector",
            lambda: w.word_order_explorer(glove, learned=learned),
            "encoding",
            ["none", "sinusoidal", "learned", "rotary"],
        ),
        ("07 scaling: d_k slider", w.scaling_explorer, "d_k", list(w.D_K_CHOICES)),
        ("08 masks: position slider", lambda: w.mask_explorer(glove), "position", [0, 1, 2, 3, 4, 5]),
        ("08 masks: mask selector", lambda: w.mask_explorer(glove), "kind", list(steps.MASK_KINDS)),
        ("09 multi-head: head selector", lambda: w.head_explorer(glove), "head", [0, 1, 2, 3, 4]),
        ("09 multi-head: sentence box", lambda: w.head_explorer(glove), "sentence", sentences),
        (
            "10 watch attention learn: step slider (the training is recorded)",
            lambda: w.training_explorer(task),
            "step",
            list(range(0, 301, 15)),
        ),
        (
            "11 MiniLM: layer slider (the sentence's encoding reused)",
            lambda: w.minilm_explorer(model),
            "layer",
            [1, 2, 3, 4, 5, 0],
        ),
        ("11 MiniLM: sentence box", lambda: w.minilm_explorer(model), "sentence", sentences),
        ("13 online softmax: block slider", lambda: w.online_softmax_explorer(s, np.eye(8), 3), "block", [1, 2, 3]),
        (
            "14 GPT: temperature slider (the prompt's run reused)",
            lambda: w.gpt_explorer(tiny),
            "temperature",
            list(np.round(np.linspace(0, 2, 21), 1)),
        ),
        ("14 GPT: head selector", lambda: w.gpt_explorer(tiny), "head", [1, 2, 3, 0]),
        ("14 GPT: prompt box", lambda: w.gpt_explorer(tiny), "prompt", ["The cat", "I was a", "He said "]),
    ]
    print(f"| control change in the kernel (compute + in-place redraw + PNG), {repeats} changes | median ms | p90 ms |")
    print("|---|---:|---:|")
    for label, build, control, values in cases:
        median, p90 = time_control(build(), control, values, repeats)
        print(f"| {label} | {median:.0f} | {p90:.0f} |")
    seconds = statistics.median(
        median_seconds(lambda seed=seed: train(task, steps=300, seed=seed), 1, warmup=0) for seed in range(3)
    )
    print(
        "| 10 train again: 300 Adam steps of the previous-word task, 128 sentences (seed box or learning "
        f"rate; the whole training) | {seconds * 1e3:.0f} | |"
    )
    start = time.perf_counter()
    w.cost_explorer(2048)
    print(
        "| 13 cost: one measurement run up to n = 2048 (progress bar; not a slider) | "
        f"{(time.perf_counter() - start) * 1e3:.0f} | |"
    )


# ---------------------------------------------------------------- nbval
def nbval(runs):
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:randomly",
        "--nbval",
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "tests/nbval-sanitize.cfg",
        "notebooks",
    ]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise RuntimeError("strict nbval failed:\n" + done.stdout[-2000:])
    count = len(sorted(ROOT.glob("notebooks/[0-9]*.ipynb")))
    print("| the whole series | median s |")
    print("|---|---:|")
    print(
        f"| strict `pytest --nbval` over all {count} notebooks, {runs} runs (pytest start-up included) | "
        f"{statistics.median(times):.1f} |"
    )


# ---------------------------------------------------------------- attention
def blas_kernel():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    infos = [
        f"{i.get('internal_api')} {i.get('version')} kernel {i.get('architecture')}, {i.get('num_threads')} threads"
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    ]
    return "; ".join(infos) or "none found"


def attention(repeats):
    import helpers as h
    from helpers import fast

    env = {k: os.environ.get(k, "(unset)") for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    print(f"numpy {np.__version__}, BLAS: {blas_kernel()}; " + ", ".join(f"{k}={v}" for k, v in env.items()))
    rng = np.random.default_rng(0)
    m = 2048
    A, B = (rng.standard_normal((m, m)).astype(np.float32) for _ in range(2))
    peak = 2 * m**3 / median_seconds(lambda: A @ B, repeats) / 1e9
    print()
    print(f"float32 matrix-multiply peak ({m} x {m} @ {m} x {m}): {peak:.0f} GFLOP/s")
    print()
    print("| call (float32) | ms | GFLOP/s | of matmul peak |")
    print("|---|---:|---:|---:|")

    def row(label, seconds, flops):
        print(f"| {label} | {seconds * 1e3:.1f} | {flops / seconds / 1e9:.0f} | {flops / seconds / 1e9 / peak:.0%} |")

    d = 64
    for n in (1024, 4096):
        Q, K, V = (rng.standard_normal((n, d)).astype(np.float32) for _ in range(3))
        flops = 4 * n * n * d  # Q K^T and weights @ V: 2 n^2 d multiply-adds, 2 FLOPs each
        row(
            f"scaled_dot_product_attention, n = {n}, d = {d}",
            median_seconds(lambda Q=Q, K=K, V=V: h.scaled_dot_product_attention(Q, K, V), repeats),
            flops,
        )
        row(
            f"blockwise_attention (1024 x 512 tiles), n = {n}, d = {d}",
            median_seconds(lambda Q=Q, K=K, V=V: h.blockwise_attention(Q, K, V), repeats),
            flops,
        )
    n, d_model, n_heads = 1024, 512, 8
    X = rng.standard_normal((n, d_model)).astype(np.float32)
    Ws = [(rng.standard_normal((d_model, d_model)) / np.sqrt(d_model)).astype(np.float32) for _ in range(4)]
    flops = 4 * 2 * n * d_model * d_model + 4 * n * n * d_model
    row(
        f"multi_head_attention, n = {n}, d_model = {d_model}, {n_heads} heads (the plain one of notebook 09)",
        median_seconds(lambda: h.multi_head_attention(X, *Ws, n_heads=n_heads), repeats),
        flops,
    )
    row(
        "helpers.fast.multi_head_attention, the same (heads in threads, cache-blocked softmax)",
        median_seconds(lambda: fast.multi_head_attention(X, *Ws, n_heads=n_heads), repeats),
        flops,
    )
    print("\n(against torch, each in its own process: benchmarks/vs_torch.py --torch-python PYTHON)")


# ---------------------------------------------------------------- the tiny GPT
def gpt_section(repeats):
    from helpers import gpt

    model = gpt.load_tiny_gpt()
    rng = np.random.default_rng(0)
    c = model.config
    ids, targets = rng.integers(0, c.vocab_size, size=(2, 32, c.context))
    step = median_seconds(lambda: gpt.loss_and_grads(model.params, ids, targets), repeats)
    tokens = c.context - 6  # "I was " and then up to the context: the cache serves every step
    gen = median_seconds(lambda: gpt.generate(model, "I was ", tokens, seed=0, use_cache=False), max(1, repeats // 2))
    gen_cache = median_seconds(lambda: gpt.generate(model, "I was ", tokens, seed=0), max(1, repeats // 2))
    ids = model.encode(gpt.load_text()[:200])
    full = median_seconds(lambda: model.logits(ids[: c.context]), 5 * repeats)

    def one_decode():
        _, cache = gpt.prefill(model.params, ids[: c.context - 1])
        start = time.perf_counter()
        gpt.decode(model.params, int(ids[c.context - 1]), cache)
        return time.perf_counter() - start

    decode = float(np.median([one_decode() for _ in range(5 * repeats)]))
    print(f"| the tiny GPT ({c.n_layers} layers, d_model {c.d_model}, context {c.context}), numpy | |")
    print("|---|---:|")
    print(f"| one training step, batch 32 (forward and backward: loss_and_grads) | {step * 1e3:.0f} ms |")
    print(f"| generate {tokens} characters without a key/value cache | {tokens / gen:.0f} tokens/s |")
    print(f"| generate {tokens} characters with the cache (notebook 15) | {tokens / gen_cache:.0f} tokens/s |")
    print(f"| the last position of the context, without the cache (all {c.context} positions) | {full * 1e3:.2f} ms |")
    print(f"| the same with the cache (one position against {c.context - 1} cached) | {decode * 1e3:.2f} ms |")
    print(f"| with the cache / without, at the full context | {full / decode:.1f} times faster |")
    print("\n(against torch, each in its own process: benchmarks/gpt_vs_torch.py --torch-python PYTHON)")


# ---------------------------------------------------------------- minilm
def minilm_section(repeats):
    from helpers import minilm

    start = time.perf_counter()
    model = minilm.load()
    load_s = time.perf_counter() - start
    sentences = ["i deposited cash at the bank", "we sat on the river bank"]
    t_two = median_seconds(lambda: [model.encode(s) for s in sentences], repeats * 2)
    t_batch = median_seconds(lambda: model.encode_batch(sentences), repeats * 2)
    print("| MiniLM (notebook 11), numpy, 1 BLAS thread | ms |")
    print("|---|---:|")
    print(f"| load: verify sha256 of both files + read the parameters | {load_s * 1e3:.0f} |")
    print(f"| forward pass, two short sentences one after the other (8 tokens each) | {t_two * 1e3:.1f} |")
    print(f"| forward pass, the same two as one padded batch | {t_batch * 1e3:.1f} |")

    heads = [(layer, head) for layer in range(model.config.n_layers) for head in range(model.config.n_heads)]
    t_sweep = median_seconds(lambda: minilm.ablation_sweep(model, list(minilm.HEAD_SENTENCES[:6]), heads), 3)
    print(
        "| notebook 12: all 72 single-head ablations over 6 sentences (each from the switched-off head's "
        f"layer on) | {t_sweep * 1e3:.0f} |"
    )


# ---------------------------------------------------------------- llm
def llm_section(repeats):
    from helpers.llm import generate, load_smollm2, memory

    start = time.perf_counter()
    model = load_smollm2()
    load_s = time.perf_counter() - start
    rng = np.random.default_rng(0)
    prompt = model.decode(rng.integers(100, 20000, size=32))
    first = median_seconds(lambda: model.prefill(np.array(model.encode(prompt)[:32])), repeats)
    bandwidth = memory.read_bandwidth(model.tok_emb, repeats=repeats)
    limit = memory.decode_bytes(model, 32 + 32) / bandwidth  # the mean cache over the 64 new tokens
    runs = [0.0] * repeats
    for k in range(repeats):
        t = time.perf_counter()
        generate(model, prompt, 64, temperature=0)
        runs[k] = time.perf_counter() - t
    per_token = (statistics.median(runs) - first) / 63  # the first token comes from the prefill
    print(f"| SmolLM2-135M (notebook 17), numpy float32, {model.nbytes() / 1e6:.0f} MB of weights | |")
    print("|---|---:|")
    print(f"| load: sha256, read the GGUF file, dequantise to float32 | {load_s:.1f} s |")
    print(f"| time to the first token, a 32-token prompt (prefill) | {first * 1e3:.0f} ms |")
    print(f"| memory read rate (the 113 MB embedding times a vector) | {bandwidth / 1e9:.1f} GB/s |")
    rate = f"{per_token * 1e3:.1f} ms ({1 / per_token:.0f} tokens/s)"
    print(f"| decode at batch 1 with generate, 64 tokens after 32: time per token | {rate} |")
    print(f"| the limit set by memory: bytes per token / read rate | {limit * 1e3:.1f} ms ({limit / per_token:.0%}) |")
    for batch in (1, 2, 4, 8, 16, 32):
        step = memory.decode_seconds(model, batch, steps=repeats)
        print(f"| decode step at batch {batch} | {step * 1e3:.1f} ms ({batch / step:.0f} tokens/s) |")
    print("\n(against torch, each in its own process: benchmarks/llm_vs_torch.py --torch-python PYTHON)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--repeats", type=int, default=30, help="control changes per widget")
    parser.add_argument("--nbval-runs", type=int, default=3, help="strict nbval runs of the whole series")
    parser.add_argument(
        "--kernel-compare",
        action="store_true",
        help="also run the attention section with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset",
    )
    args = parser.parse_args()

    start = time.perf_counter()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy "
        f"{np.__version__}"
    )
    if "sliders" in args.sections:
        print()
        sliders(args.repeats)
    if "nbval" in args.sections:
        print()
        nbval(args.nbval_runs)
    if "attention" in args.sections:
        print()
        attention(repeats=7)
    if "minilm" in args.sections:
        print()
        minilm_section(repeats=10)
    if "gpt" in args.sections:
        print()
        gpt_section(repeats=7)
    if "llm" in args.sections:
        print()
        llm_section(repeats=7)
    if args.kernel_compare:
        env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
        print("\nThe attention section again, with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset:\n", flush=True)
        subprocess.run([sys.executable, __file__, "--sections", "attention"], env=env, check=True)
    print(f"\n(benchmark took {time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
