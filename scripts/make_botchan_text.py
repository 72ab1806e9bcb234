"""Make helpers/data/botchan.txt: Botchan without Project Gutenberg's header and footer (run once by a maintainer).

The source is sentencepiece's source distribution 0.2.3 on PyPI, file test/botchan.txt (Project Gutenberg eBook
#8868, public domain in the USA), checked by its sha256 before use:

    pip download --no-deps --no-binary :all: sentencepiece==0.2.3 -d /tmp/sp
    python scripts/make_botchan_text.py /tmp/sp/sentencepiece-0.2.3.tar.gz

It keeps the lines between "*** START OF THIS PROJECT GUTENBERG EBOOK" and "*** END OF", without the
"Produced by" and "End of Project Gutenberg" lines, and prints the output's sha256 for helpers/gpt/text.py.
"""

from __future__ import annotations

import hashlib
import sys
import tarfile
from pathlib import Path

SOURCE_SHA256 = "464bd5300c24fce16fcc4555d4231a57632caae4d0090ad6aa92854a3b227ba7"
MEMBER = "sentencepiece-0.2.3/test/botchan.txt"
OUT = Path(__file__).resolve().parents[1] / "helpers" / "data" / "botchan.txt"


def strip_gutenberg(raw: str) -> str:
    """The book between Project Gutenberg's start and end markers, without the producers' credit. str -> str"""
    lines = raw.lstrip("\ufeff").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("*** START OF THIS PROJECT GUTENBERG EBOOK"))
    end = next(i for i, line in enumerate(lines) if line.startswith("*** END OF THIS PROJECT GUTENBERG EBOOK"))
    credits = ("Produced by", "End of Project Gutenberg")
    body = [line for line in lines[start + 1 : end] if not line.startswith(credits)]
    return "\n".join(body).strip() + "\n"


def main(sdist: str) -> int:
    with tarfile.open(sdist) as tar:
        data = tar.extractfile(MEMBER).read()
    got = hashlib.sha256(data).hexdigest()
    if got != SOURCE_SHA256:
        print(f"{MEMBER} has sha256 {got}, expected {SOURCE_SHA256}: not the expected file.", file=sys.stderr)
        return 1
    text = strip_gutenberg(data.decode("utf-8"))
    OUT.write_text(text, encoding="utf-8")
    print(
        f"wrote {OUT} ({len(text):,} characters, {len(set(text))} distinct), sha256 "
        f"{hashlib.sha256(OUT.read_bytes()).hexdigest()}"
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
