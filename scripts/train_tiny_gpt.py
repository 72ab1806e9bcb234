"""Train the tiny GPT of notebook 14 on Botchan and write helpers/data/tiny_gpt.npz and tiny_gpt.json.

Deterministic (seeded; one machine, one BLAS, the same numbers). On these 2-core machines it takes about
12 minutes. The record holds the config, the vocabulary, the loss at every step, the validation losses, the
bigram baseline, the time it took and the weights' sha256. CI never retrains: tests/test_gpt.py re-runs the
first steps and compares them with the record.

    python scripts/train_tiny_gpt.py            # train and write the model
    python scripts/train_tiny_gpt.py --steps 50 --dry-run   # a short run that writes nothing
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from helpers import gpt

CONFIG = {"context": 64, "n_layers": 3, "d_model": 128, "n_heads": 4, "d_ff": 512}
SETTINGS = {"batch_size": 32, "peak_lr": 3e-3, "warmup": 100, "seed": 0}
STEPS = 3000


def data() -> tuple[np.ndarray, np.ndarray]:
    """Botchan's first 90% and last 10% of characters, as ids. -> ((N_train,), (N_val,))"""
    text = gpt.load_text()
    tokenizer = gpt.CharTokenizer.from_text(text)
    train, val = gpt.split_text(text)
    return tokenizer.encode(train), tokenizer.encode(val)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=STEPS, help=f"training steps (default {STEPS})")
    parser.add_argument("--dry-run", action="store_true", help="train but write nothing")
    args = parser.parse_args()
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    text = gpt.load_text()
    vocab = gpt.CharTokenizer.from_text(text).vocab
    train, val = data()
    config = gpt.GPTConfig(vocab_size=len(vocab), **CONFIG)
    bigram = gpt.bigram_loss(train, val, config.vocab_size)
    print(f"{config}\nbigram baseline: {bigram:.3f} nats per character; target: {bigram - 0.8:.3f} or lower")
    start = time.perf_counter()

    def report(step, params, record):
        mean = float(np.mean(record.train_loss[-50:]))
        print(f"step {step:5d}  train {mean:.3f}  val {record.val_loss[-1]:.3f}  {time.perf_counter() - start:5.0f} s")

    params, record = gpt.train(config, train, val, args.steps, eval_every=250, on_eval=report, **SETTINGS)
    print(f"done in {record.seconds:.0f} s; validation {record.val_loss[-1]:.3f}, bigram {bigram:.3f}")
    if args.dry_run:
        return 0
    body = {
        "steps": args.steps,
        "settings": SETTINGS,
        "train_loss": [round(float(x), 6) for x in record.train_loss],
        "val_steps": record.val_steps,
        "val_loss": [round(float(x), 6) for x in record.val_loss],
        "bigram_val_loss": round(bigram, 6),
        "seconds": round(record.seconds, 1),
        "machine": f"{platform.machine()}, {len(os.sched_getaffinity(0))} cores, numpy {np.__version__}",
    }
    digest = gpt.tiny.save_tiny_gpt(params, vocab, body)
    print(f"wrote {gpt.tiny.WEIGHTS} (sha256 {digest}) and {gpt.tiny.RECORD}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
