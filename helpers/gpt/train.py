"""Training the tiny GPT in numpy: batches, AdamW, gradient clipping, a warm-up and cosine learning rate,
and the bigram model it must beat. The loop itself is shown once in notebook 14; ``train`` runs the same loop.
"""

from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass, field

import numpy as np

from ..checks import check_positive, check_positive_int
from ..layers import cross_entropy
from .backward import loss_and_grads
from .model import GPTConfig, forward, init_params


def get_batch(data: np.ndarray, batch_size: int, context: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """batch_size random windows of the data and the same windows one token later. (N,) -> ((B, n), (B, n))"""
    if data.ndim != 1 or len(data) <= context:
        raise ValueError(f"the data must be 1-D and longer than the context ({context}), got shape {data.shape}.")
    starts = rng.integers(0, len(data) - context, size=batch_size)
    rows = starts[:, None] + np.arange(context)
    return data[rows], data[rows + 1]


def lr_at(step: int, total: int, peak: float, warmup: int, floor: float = 0.1) -> float:
    """A linear warm-up to peak, then a cosine down to floor * peak at the last step. -> float"""
    whole = all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in (step, total, warmup))
    if not whole or not 0 <= step < total:
        raise ValueError(f"step must be a whole number from 0 to total - 1 (total {total!r}), got {step!r}.")
    if warmup < 1 or not 0 <= floor <= 1:
        raise ValueError(f"warmup must be at least 1 and floor between 0 and 1, got {warmup!r} and {floor!r}.")
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0))))


def clip_by_global_norm(grads: dict, max_norm: float) -> float:
    """Scale every gradient IN PLACE so that all of them together have a norm of at most max_norm. -> the norm before"""
    norm = math.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads.values()))
    if not math.isfinite(norm):
        raise FloatingPointError("a gradient is inf or NaN: the learning rate is probably too high.")
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return norm


@dataclass
class AdamW:
    """AdamW (Loshchilov and Hutter): Adam's running moments, and weight decay applied to the weights directly,
    only to matrices (not to LayerNorm gains or biases), as nanoGPT does."""

    betas: tuple = (0.9, 0.95)
    eps: float = 1e-8
    weight_decay: float = 0.1
    step: int = 0
    first: dict = field(default_factory=dict)
    second: dict = field(default_factory=dict)

    def update(self, params: dict, grads: dict, lr: float) -> None:
        """One step on every parameter IN PLACE. {name: array}, {name: array}, float -> None"""
        if set(grads) != set(params) or any(np.shape(grads[k]) != params[k].shape for k in params):
            raise ValueError("grads must have the parameters' names and shapes (as loss_and_grads returns them).")
        self.step += 1
        b1, b2 = self.betas
        for name, p in params.items():
            g = grads[name]
            m = self.first.setdefault(name, np.zeros_like(p))
            v = self.second.setdefault(name, np.zeros_like(p))
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            if p.ndim >= 2 and self.weight_decay:
                p *= 1 - lr * self.weight_decay
            p -= (lr / (1 - b1**self.step)) * m / (np.sqrt(v / (1 - b2**self.step)) + self.eps)


def evaluate(params: dict, data: np.ndarray, batch_size: int = 32, n_batches: int = 8, seed: int = 1234) -> float:
    """The mean loss on the same n_batches random windows every time (seeded). -> float (nats per character)"""
    context = params["pos_emb"].shape[0]
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(n_batches):
        ids, targets = get_batch(data, batch_size, context, rng)
        losses.append(cross_entropy(forward(params, ids), targets))
    return float(np.mean(losses))


def bigram_loss(train: np.ndarray, val: np.ndarray, vocab_size: int) -> float:
    """The validation loss of add-one smoothed bigram counts from the training split. -> float (nats per character)"""
    for name, ids in (("train", train), ("val", val)):
        ids = np.asarray(ids)
        if ids.ndim != 1 or len(ids) < 2 or ids.dtype.kind not in "iu" or ids.min() < 0 or ids.max() >= vocab_size:
            raise ValueError(f"{name} must be at least two token ids from 0 to {vocab_size - 1}, in one row.")
    counts = np.ones((vocab_size, vocab_size))
    np.add.at(counts, (train[:-1], train[1:]), 1)
    logp = np.log(counts / counts.sum(axis=1, keepdims=True))
    return float(-logp[val[:-1], val[1:]].mean())


@dataclass
class Record:
    """What a training run did: the loss at every step, validation losses, learning rates and the time it took."""

    steps: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    val_steps: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    seconds: float = 0.0


def train(
    config: GPTConfig,
    train_ids: np.ndarray,
    val_ids: np.ndarray,
    steps: int,
    batch_size: int = 32,
    peak_lr: float = 3e-3,
    warmup: int = 100,
    seed: int = 0,
    eval_every: int = 250,
    params: dict | None = None,
    on_eval=None,
) -> tuple[dict, Record]:
    """The training loop: a batch, the loss and its gradients, clipping, AdamW with a scheduled rate. -> (params,
    Record)

    ``on_eval(step, params, record)`` is called at every evaluation (e.g. to print a sample).
    """
    steps, batch_size = check_positive_int(steps, "steps"), check_positive_int(batch_size, "batch_size")
    peak_lr = check_positive(peak_lr, "peak_lr")
    rng = np.random.default_rng(seed)
    params = init_params(config, seed) if params is None else params
    opt, record, start = AdamW(), Record(), time.perf_counter()
    for step in range(steps):
        ids, targets = get_batch(train_ids, batch_size, config.context, rng)
        loss, grads = loss_and_grads(params, ids, targets)
        norm = clip_by_global_norm(grads, 1.0)
        lr = lr_at(step, steps, peak_lr, warmup)
        opt.update(params, grads, lr)
        record.steps.append(step)
        record.train_loss.append(loss)
        record.lr.append(lr)
        record.grad_norm.append(norm)
        if (step + 1) % eval_every == 0 or step == steps - 1:
            record.val_steps.append(step + 1)
            record.val_loss.append(evaluate(params, val_ids))
            if on_eval is not None:
                on_eval(step + 1, params, record)
    record.seconds = time.perf_counter() - start
    return params, record
