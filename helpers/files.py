"""Model files: a sha256 check before use, and a reader for the safetensors format (numpy only)."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np


class ModelFileError(RuntimeError):
    """A model's package is missing, or one of its files is not the expected one."""


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in chunks. Path -> str"""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, expected: str, fix: str) -> None:
    """Raise ModelFileError unless the file exists and has the expected sha256; ``fix`` says what to do. Path -> None"""
    if not path.exists():
        raise ModelFileError(f"{path} is missing. {fix}")
    got = sha256_file(path)
    if got != expected:
        raise ModelFileError(
            f"{path.name} is not the expected file (sha256 {got}, expected {expected}). "
            f"It may be corrupt, truncated or a different model. {fix}"
        )


def mismatched_shapes(arrays: dict, expected: dict) -> list[str]:
    """What keeps a dict of arrays from being one model: each missing or misshapen name with its shape, then each
    name not expected. {name: array}, {name: shape} -> [str]"""
    if not isinstance(arrays, dict) or not isinstance(expected, dict):
        raise TypeError("arrays and expected must be dicts: {name: array} and {name: shape}.")
    wrong = [
        f"{k} {np.shape(arrays.get(k))} (expected {s})" for k, s in expected.items() if np.shape(arrays.get(k)) != s
    ]
    return wrong + sorted(set(arrays) - set(expected))


_DTYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8", "I32": "<i4"}


def read_safetensors(path) -> dict:
    """All tensors of a safetensors file: an 8-byte header length, a JSON header, raw little-endian data.
    Path -> {name: array}"""
    data = Path(path).read_bytes()
    if len(data) < 8:
        raise ValueError(f"{path} is too short to be a safetensors file.")
    n = int.from_bytes(data[:8], "little")
    if n <= 0 or 8 + n > len(data):
        raise ValueError(
            f"{path} is not a safetensors file: its header length {n} does not fit the file ({len(data)} bytes)."
        )
    try:
        header = json.loads(data[8 : 8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} is not a safetensors file: the header is not JSON ({exc}).") from None
    body = memoryview(data)[8 + n :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(info.get("dtype"))
        if dtype is None:
            raise ValueError(f"{path}: tensor {name} has an unsupported dtype {info.get('dtype')!r}.")
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        if not 0 <= begin <= end <= len(body) or end - begin != math.prod(shape) * np.dtype(dtype).itemsize:
            raise ValueError(
                f"{path}: tensor {name} has offsets {begin}..{end} that do not match its shape {shape} or the file."
            )
        tensors[name] = np.frombuffer(body[begin:end], dtype=dtype).reshape(shape)
    return tensors
