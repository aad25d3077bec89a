"""Writes ``minigenre/study/mlbp2018_columns.csv.gz`` from the real table's summary.

The summary (one row per column of the 2018 course's ``train_data.csv``: section,
mean, std, min, quantiles, max, share at the minimum, mean per genre) was measured on
the real file, which minigenre does not ship. `minigenre.study.synthetic` draws its
stand-in from the embedded copy; nothing reads the original at run time.

    python benchmarks/embed_mlbp2018_table.py path/to/mlbp2018-columns.csv

The copy is the same CSV text, gzip-compressed with no file name or time stamp in
its header, so running the script twice gives the same bytes.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "minigenre/study/mlbp2018_columns.csv.gz"
HEADER = (
    "column,section,mean,std,min,q01,q25,median,q75,q99,max,share_at_min,"
    + ",".join(f"mean_genre_{k}" for k in range(1, 11))
)


def main(source: str) -> None:
    text = Path(source).read_text(encoding="utf-8")
    lines = text.splitlines()
    if lines[0] != HEADER or len(lines) != 265:
        raise SystemExit(f"{source}: expected the 264-column summary with {HEADER!r}")
    with (
        open(TARGET, "wb") as raw,  # mtime=0, no name: reproducible bytes
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f,
    ):
        f.write(("\n".join(lines) + "\n").encode("utf-8"))
    print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/mlbp2018-columns.csv")
