"""What was measured on the 2018 course's real training table, column by column.

The real ``train_data.csv`` (4363 songs x 264 columns, labels 1..10) is not shipped;
its summary is, in ``mlbp2018_columns.csv.gz`` next to this file (written by
``benchmarks/embed_mlbp2018_table.py``). Per column: the section, mean, standard
deviation (``ddof=0``), minimum, quantiles 1/25/50/75/99%, maximum, the share of
rows equal to the minimum, and the mean over each genre's rows.

The columns, as measured:

* **rhythm** (0-167): rp_extract's Statistical Spectrum Descriptor in sone x 1000,
  statistic-major: 24 bands of mean, then variance, skewness, kurtosis, median,
  min and max. The 3-phon floor shows as 1.066; band 24 sits there in 74.8% of
  the rows, and its skewness and kurtosis are then 1000.
* **chroma** (168-215): mean, *variance*, min and max of 12 pitch classes; min and
  max rounded to 0.001 (the Echo Nest pitch data of the Million Song Dataset).
* **timbre** (216-263), which the course called "MFCC": Echo Nest timbre, mean,
  variance, min and max of 12 dimensions divided by 1000; columns 216-219 are the
  constant 1e6 in every row.
"""

from __future__ import annotations

import functools
import gzip
import io
from dataclasses import dataclass
from importlib import resources

import numpy as np

TABLE_FILE = "mlbp2018_columns.csv.gz"
QUANTILES = (0.01, 0.25, 0.5, 0.75, 0.99)
# rp_extract's 3-phon floor, 0.0010664 sone, written x 1000 in the table.
SSD_FLOOR = 1.066
SSD_STATISTICS = ("mean", "variance", "skewness", "kurtosis", "median", "min", "max")
BLOCK_STATISTICS = ("mean", "variance", "min", "max")  # chroma and timbre
CONSTANT_COLUMNS = slice(216, 220)  # 1e6 in every row


@dataclass(frozen=True, eq=False)
class ColumnStats:
    """The measured summary of the real table; every array has one entry a column.

    Attributes:
        section: ``"rhythm"``, ``"chroma"`` or ``"timbre"``, shape ``(264,)``.
        mean, std, min, max: float64, shape ``(264,)``; ``std`` with ``ddof=0``.
        quantiles: The 1, 25, 50, 75 and 99% quantiles, shape ``(264, 5)``.
        share_at_min: Share of rows equal to the column's minimum, ``(264,)``.
        genre_means: Mean over each genre's rows, shape ``(10, 264)``.
        label_counts: Songs per genre in the real table, ``(10,)``.
    """

    section: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    min: np.ndarray
    quantiles: np.ndarray
    max: np.ndarray
    share_at_min: np.ndarray
    genre_means: np.ndarray
    label_counts: tuple[int, ...] = (2178, 618, 326, 253, 214, 260, 141, 195, 92, 86)


@functools.cache
def column_stats() -> ColumnStats:
    """Reads the embedded summary once; the arrays are read-only.

    >>> stats = column_stats()
    >>> stats.quantiles.shape, float(stats.std[216]), str(stats.section[170])
    ((264, 5), 0.0, 'chroma')
    """
    raw = resources.files("minigenre.study").joinpath(TABLE_FILE).read_bytes()
    text = gzip.decompress(raw).decode("utf-8")
    table = np.genfromtxt(
        io.StringIO(text), delimiter=",", names=True, dtype=None, encoding="utf-8"
    )  # (264,) structured: one record a column

    def column(name: str) -> np.ndarray:
        values = np.asarray(table[name], dtype=np.float64)
        values.flags.writeable = False
        return values

    quantiles = np.stack([column(n) for n in ("q01", "q25", "median", "q75", "q99")], 1)
    genre_means = np.stack([column(f"mean_genre_{k}") for k in range(1, 11)])
    for array in (quantiles, genre_means):
        array.flags.writeable = False
    section = np.asarray(table["section"], dtype=str)
    section.flags.writeable = False
    return ColumnStats(
        section=section,
        mean=column("mean"),
        std=column("std"),
        min=column("min"),
        quantiles=quantiles,
        max=column("max"),
        share_at_min=column("share_at_min"),
        genre_means=genre_means,
    )
