"""The README's picture: the two heatmaps of self-attention weights in 04_self-attention-from-scratch.ipynb, `bank`
in "money bank grows" and in "river bank flows", drawn by the helpers as the notebook draws them (2x pixels), with
its text alternative.

    .venv/bin/python scripts/make_readme_picture.py      # writes docs/images/two-banks.png, prints the alt text

tests/test_docs.py checks that the README's alt text is the one this picture is drawn with.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers import self_attention  # noqa: E402
from helpers.embeddings import toy_vectors  # noqa: E402
from helpers.plots import PIXEL_RATIO, attention_heatmaps  # noqa: E402

PICTURE = ROOT / "docs" / "images" / "two-banks.png"
SENTENCES = ("money bank grows", "river bank flows")


def figure():
    """The two heatmaps, as cell 22 of 04_self-attention-from-scratch.ipynb draws them. -> DescribedFigure"""
    toy = toy_vectors()
    embedded = [toy.embed(s) for s in SENTENCES]
    weights = [self_attention(X)[1] for _, X in embedded]
    words = [w for w, _ in embedded]
    return attention_heatmaps(weights, words, words, list(SENTENCES))


def main() -> int:
    fig = figure()
    PICTURE.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(PICTURE, format="png", bbox_inches="tight", dpi=fig.dpi * PIXEL_RATIO, metadata={"Software": None})
    print(fig.alt_text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
