"""Benchmark (not a test): one training step of the tiny GPT (forward and backward) and generation, numpy against
torch with autograd, each side in its own process.

    .venv/bin/python benchmarks/gpt_vs_torch.py --torch-python /path/to/python-with-torch

The same sizes, seeded weights and batch on both sides (float32, 2 threads each): the committed model's sizes
(3 layers, d_model 128, 4 heads, context 64, batch 32) and the reference run's context of 128. torch runs the same
architecture (pre-LayerNorm, causal attention, tanh GELU, tied output) built from torch.nn.functional, with the
numpy model's weights, so the losses agree (the largest difference is printed). Each round starts one process per
side, alternating which goes first; each process reports the median of its calls. torch is not installed by the
project: give the interpreter of an environment that has it (pip install torch --index-url ... cpu).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = {"step-64": 64, "step-128": 128, "generate": 64, "generate-cache": 64}
BATCH, STEPS, TOKENS = 32, 7, 58  # 6 prompt characters + 58 = the context: the cache serves every step


def numpy_side(case: str) -> dict:
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from helpers import gpt

    model = gpt.load_tiny_gpt()
    params = {k: v.copy() for k, v in model.params.items()}
    if case.startswith("generate"):
        times = []
        for seed in range(3):
            t = time.perf_counter()
            gpt.generate(model, "I was ", TOKENS, temperature=1.0, seed=seed, use_cache=case == "generate-cache")
            times.append(time.perf_counter() - t)
        return {"seconds": statistics.median(times), "tokens_per_second": TOKENS / statistics.median(times)}
    n = CASES[case]
    if n > params["pos_emb"].shape[0]:  # the reference run's longer context: positions beyond the model's repeat
        params["pos_emb"] = np.tile(params["pos_emb"], (n // params["pos_emb"].shape[0], 1))
    rng = np.random.default_rng(0)
    ids, targets = rng.integers(0, model.config.vocab_size, size=(2, BATCH, n))
    times, loss = [], None
    for _ in range(STEPS):
        t = time.perf_counter()
        loss, _ = gpt.loss_and_grads(params, ids, targets)
        times.append(time.perf_counter() - t)
    return {"seconds": statistics.median(times[1:]), "loss": loss}


def torch_side(case: str) -> dict:
    import numpy as np
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(2)
    stored = np.load(ROOT / "helpers" / "data" / "tiny_gpt.npz")
    config = json.loads((ROOT / "helpers" / "data" / "tiny_gpt.json").read_text())["config"]
    p = {k: torch.tensor(stored[k], requires_grad=True) for k in stored.files}
    L = config["n_layers"]

    def forward(ids):
        n = ids.shape[1]
        pos = p["pos_emb"].repeat(n // p["pos_emb"].shape[0] + 1, 1)[:n]
        x = p["tok_emb"][ids] + pos
        for i in range(L):
            b = f"blocks.{i}."
            a = F.layer_norm(x, (x.shape[-1],), p[b + "ln1.gamma"], p[b + "ln1.beta"], 1e-5)
            q, k, v = (torch.einsum("bnd,hde->bhne", a, p[b + f"attn.W_{w}"]) for w in "qkv")
            heads = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + torch.einsum("bhne,hed->bnd", heads, p[b + "attn.W_o"]) + p[b + "attn.b_o"]
            c = F.layer_norm(x, (x.shape[-1],), p[b + "ln2.gamma"], p[b + "ln2.beta"], 1e-5)
            u = F.gelu(c @ p[b + "mlp.W_1"] + p[b + "mlp.b_1"], approximate="tanh")
            x = x + u @ p[b + "mlp.W_2"] + p[b + "mlp.b_2"]
        f = F.layer_norm(x, (x.shape[-1],), p["ln_f.gamma"], p["ln_f.beta"], 1e-5)
        return f @ p["tok_emb"].T

    def step_with_cache(token, position, cache):  # one token through every layer, its K and V appended first
        x = p["tok_emb"][token] + p["pos_emb"][position]  # (d,)
        for i in range(L):
            b = f"blocks.{i}."
            a = F.layer_norm(x, (x.shape[-1],), p[b + "ln1.gamma"], p[b + "ln1.beta"], 1e-5)
            q, k, v = (torch.einsum("d,hde->he", a, p[b + f"attn.W_{w}"]) for w in "qkv")
            cache[i] = [torch.cat([cache[i][0], k[:, None]], 1), torch.cat([cache[i][1], v[:, None]], 1)]
            heads = F.scaled_dot_product_attention(q[:, None], cache[i][0], cache[i][1])[:, 0]  # (H, d_head)
            x = x + torch.einsum("he,hed->d", heads, p[b + "attn.W_o"]) + p[b + "attn.b_o"]
            c = F.layer_norm(x, (x.shape[-1],), p[b + "ln2.gamma"], p[b + "ln2.beta"], 1e-5)
            x = x + F.gelu(c @ p[b + "mlp.W_1"] + p[b + "mlp.b_1"], approximate="tanh") @ p[b + "mlp.W_2"]
            x = x + p[b + "mlp.b_2"]
        return F.layer_norm(x, (x.shape[-1],), p["ln_f.gamma"], p["ln_f.beta"], 1e-5) @ p["tok_emb"].T

    if case == "generate-cache":
        vocab = json.loads((ROOT / "helpers" / "data" / "tiny_gpt.json").read_text())["vocab"]
        times = []
        with torch.no_grad():
            for seed in range(3):
                gen = torch.Generator().manual_seed(seed)
                prompt = [vocab.index(c) for c in "I was "]
                t = time.perf_counter()
                cache = [
                    [torch.zeros(config["n_heads"], 0, config["d_model"] // config["n_heads"])] * 2 for _ in range(L)
                ]
                for pos, token in enumerate(prompt):  # the prompt, one token at a time into the cache
                    logits = step_with_cache(token, pos, cache)
                for pos in range(len(prompt), len(prompt) + TOKENS):
                    token = int(torch.multinomial(torch.softmax(logits, -1), 1, generator=gen))
                    if pos < config["context"]:
                        logits = step_with_cache(token, pos, cache)
                times.append(time.perf_counter() - t)
        return {"seconds": statistics.median(times), "tokens_per_second": TOKENS / statistics.median(times)}
    if case == "generate":
        vocab = json.loads((ROOT / "helpers" / "data" / "tiny_gpt.json").read_text())["vocab"]
        times = []
        for seed in range(3):
            gen = torch.Generator().manual_seed(seed)
            ids = torch.tensor([[vocab.index(c) for c in "I was "]])
            t = time.perf_counter()
            with torch.no_grad():
                for _ in range(TOKENS):
                    logits = forward(ids[:, -config["context"] :])[0, -1]
                    nxt = torch.multinomial(torch.softmax(logits, -1), 1, generator=gen)
                    ids = torch.cat([ids, nxt[None]], dim=1)
            times.append(time.perf_counter() - t)
        return {"seconds": statistics.median(times), "tokens_per_second": TOKENS / statistics.median(times)}
    n = CASES[case]
    rng = np.random.default_rng(0)
    ids, targets = (torch.tensor(a) for a in rng.integers(0, config["vocab_size"], size=(2, BATCH, n)))
    times, loss = [], None
    for _ in range(STEPS):
        t = time.perf_counter()
        for q in p.values():
            q.grad = None
        loss = F.cross_entropy(forward(ids).reshape(-1, config["vocab_size"]), targets.reshape(-1))
        loss.backward()
        times.append(time.perf_counter() - t)
    return {"seconds": statistics.median(times[1:]), "loss": float(loss.detach())}


def run(python: str, side: str, case: str) -> dict:
    env = {"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "MKL_NUM_THREADS": "2", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [python, __file__, "--side", side, "--case", case], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--torch-python", help="a Python interpreter that has torch")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--side", choices=("numpy", "torch"), help=argparse.SUPPRESS)
    parser.add_argument("--case", choices=tuple(CASES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        print(json.dumps((numpy_side if args.side == "numpy" else torch_side)(args.case)))
        return 0
    if not args.torch_python:
        parser.error("give --torch-python: torch is not part of the project's install")
    print("| case | numpy | torch | time / torch's | loss difference |\n|---|---|---|---|---|")
    for case, n in CASES.items():
        got = {"numpy": [], "torch": []}
        for r in range(args.rounds):
            order = ("numpy", "torch") if r % 2 == 0 else ("torch", "numpy")
            for side in order:
                got[side].append(run(sys.executable if side == "numpy" else args.torch_python, side, case))
        a, b = (statistics.median(x["seconds"] for x in got[s]) for s in ("numpy", "torch"))
        if case.startswith("generate"):
            rates = f"{TOKENS / a:.0f} tokens/s | {TOKENS / b:.0f} tokens/s"
            how = "with a key/value cache" if case == "generate-cache" else "without a cache"
            print(f"| generate {TOKENS} characters, {how} | {rates} | {a / b:.2f}x | |")
        else:
            diff = abs(got["numpy"][0]["loss"] - got["torch"][0]["loss"])
            print(
                f"| training step, context {n}, batch {BATCH} | {1000 * a:.0f} ms | {1000 * b:.0f} ms "
                f"| {a / b:.2f}x | {diff:.1e} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
