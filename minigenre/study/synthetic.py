"""A stand-in for the 2018 course's Kaggle data, shaped like the real table.

It has the real files' shapes (4363 labelled and 6544 test rows of 264 features), the
real training label counts (Pop_Rock 49.9%, Blues 2.0%) and, column by column, the
real training table's scales as measured and embedded in `minigenre.study.mlbp2018`:
so every step of the study runs, on numbers like the real ones, without the files.

How a song is made:

1. **Genre.** Training labels come in exactly the real counts, test labels in the
   same proportions; both are shuffled.
2. **A latent score per column.** Each column's score is its genre's real mean,
   in units of the column's real standard deviation, plus noise: part along the
   directions that separate the genres (which is what makes genres confusable),
   the rest independent per column. 8% of songs are crossovers whose genre shift
   comes from another genre, drawn in proportion to genre size, so even a perfect
   model is sometimes confidently wrong. The noise's share along the genre
   directions and the crossover share are the calibrated numbers: they give the
   study's model about the real table's difficulty (below).
3. **The real scale.** Within the training rows (and, separately, the test rows)
   each column's scores are ranked and the ranks read off the real column's
   quantile function: through its minimum, quantiles 1/25/50/75/99% and maximum
   (the lowest and highest rows take those two), linear in the normal score of the
   level between them, with the share of rows at the minimum kept as a point mass
   (the 3-phon floor 1.066, a variance of 0).
4. **The real structure.** Columns 216-219 are the constant 1e6; band 24 of the
   rhythm block sits at the floor (mean, median, min, max 1.066, variance 0,
   skewness and kurtosis 1000) in the same rows, about 75% of them; per band and
   per row min <= median <= max and min <= mean <= max; chroma's min and max are
   rounded to 0.001, as the Echo Nest data was.

Calibration, measured with the study's model (Dense(128, elu) -> Dense(10, softmax),
Adam 1e-3, batch 32, 4 epochs, standardized with the training part of a stratified
80/20 split; minigenre's ``Sequential``), beside the real table's figures over 8 seeds
(validation accuracy 0.647 +- 0.015, loss 1.13; epoch-4 training accuracy about
0.70, loss about 0.90):

* data, split and model seed s = 0-9: validation accuracy 0.663 +- 0.013
  (0.638-0.680), loss 1.144 +- 0.057 (1.057-1.242); training accuracy 0.779, loss
  0.743 (the stand-in is learnt more closely than the real table);
* ``make_synthetic(0)`` with split and model seeds 0-9 (``benchmarks/study_slips.py``):
  validation accuracy 0.684 (0.644-0.719), loss 1.063.
* Without standardization (seed 0) the model answers Pop_Rock: accuracy 0.504 at a
  log-loss of 4868, the 1e6 columns and the kurtoses saturating every unit.

Generating a dataset takes about 0.6 s (measured on a busy 2-core machine).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from minigenre.study.data import GENRES, Dataset
from minigenre.study.mlbp2018 import QUANTILES, SSD_FLOOR, ColumnStats, column_stats

TRAIN_COUNTS = (2178, 618, 326, 253, 214, 260, 141, 195, 92, 86)  # per genre, real
N_TEST = 6544

_NORMAL = NormalDist()
_CROSSOVER = 0.08
_ALIGNED = 0.6  # share (in standard deviation) of the noise along genre directions
_BAND_24 = np.arange(23, 168, 24)  # rhythm band 24: mean, variance, ..., max
_SKEWNESS_24 = 71  # its skewness: 1000 at the floor, an interior value otherwise


def make_synthetic(seed: int = 0) -> Dataset:
    """Generates the stand-in genre dataset; same seed, bit-identical arrays.

    Args:
        seed: Seed for `numpy.random.default_rng`.

    Returns:
        A `Dataset` shaped like the Kaggle data, with the hidden test labels kept
        in ``y_test`` so that submissions can be scored locally.

    Example:
        >>> ds = make_synthetic(0)
        >>> ds.x_train.shape, ds.x_test.shape, int((ds.y_train == 0).sum())
        ((4363, 264), (6544, 264), 2178)
        >>> float(ds.x_train[:, 216].min()), float(ds.x_train[:, 216].max())
        (1000000.0, 1000000.0)
    """
    rng = np.random.default_rng(seed)
    counts = np.array(TRAIN_COUNTS)
    y_train = rng.permutation(np.repeat(np.arange(len(GENRES)), counts))
    y_test = rng.permutation(np.repeat(np.arange(len(GENRES)), _shares(counts)))
    stats = column_stats()
    z = _latent_scores(rng, np.concatenate([y_train, y_test]), stats)  # (n, 264)
    m = len(y_train)
    x_train, x_test = (_real_scale(part, stats) for part in (z[:m], z[m:]))
    return Dataset(x_train, y_train, x_test, genre_names=GENRES, y_test=y_test)


def _latent_scores(
    rng: np.random.Generator, y: np.ndarray, stats: ColumnStats
) -> np.ndarray:
    """Each song's score per column: its genre's real mean plus noise, in std units."""
    spread = np.where(stats.std > 0, stats.std, 1.0)
    centres = (stats.genre_means - stats.mean) / spread  # (10, 264), std units
    shares = np.array(TRAIN_COUNTS) / sum(TRAIN_COUNTS)
    between = shares @ centres**2  # (264,) share of the variance between genres
    n = len(y)
    source = y.copy()  # the genre whose shift a song takes: its own, or a crossover's
    crossover = rng.random(n) < _CROSSOVER
    source[crossover] = rng.choice(len(GENRES), crossover.sum(), p=shares)
    aligned = _unit(rng.normal(size=(n, len(GENRES))) @ centres)  # (n, 264)
    own = rng.normal(size=(n, centres.shape[1]))  # (n, 264)
    noise = _ALIGNED * aligned + np.sqrt(1 - _ALIGNED**2) * own
    # The noise takes the variance the genres leave (at least 5% of it).
    z = centres[source] + np.sqrt(np.clip(1 - between, 0.05, None)) * noise
    z[:, _BAND_24] = z[:, [_BAND_24[0]]]  # band 24's statistics move together
    return z


def _unit(a: np.ndarray) -> np.ndarray:
    """Each column of ``a`` centred and scaled to variance 1 (a constant stays 0)."""
    std = a.std(axis=0)
    return (a - a.mean(axis=0)) / np.where(std > 0, std, 1.0)


def _real_scale(z: np.ndarray, stats: ColumnStats) -> np.ndarray:
    """Reads each column's ranks off the real column's quantile function."""
    n, d = z.shape
    ranks = _ranks(z)  # (n, d), each column a permutation of 0..n-1
    scores = _normal_scores(n)  # (n,), the normal quantile of each rank
    x = np.empty((n, d))
    for j in range(d):
        knots_s, knots_x = quantile_knots(stats, j, scores)
        x[:, j] = np.interp(scores[ranks[:, j]], knots_s, knots_x)
    floor = x[:, _BAND_24[0]] == SSD_FLOOR  # (n,) band 24 silent
    x[floor, _SKEWNESS_24] = 1000.0  # rp_extract writes 1 (x 1000) for a flat band
    rest = ~floor  # the others take the skewness values away from 1000, in order
    knots_s, knots_x = quantile_knots(stats, _SKEWNESS_24, scores)
    levels = _normal_cdf(knots_s)
    flat = knots_x == 1000.0
    lo, width = levels[flat].min(), np.ptp(levels[flat])
    r = (_ranks(z[rest, _SKEWNESS_24][:, None])[:, 0] + 0.5) / rest.sum()
    r = r * (1 - width)
    r = np.where(r >= lo, r + width, r)
    x[rest, _SKEWNESS_24] = np.interp(r, levels, knots_x)
    _order_statistics(x)
    # Chroma's min and max on the 0.001 grid, as measured. A min rounds up, so that
    # only the real share of rows at 0 stays there; both stay on their side of
    # the mean.
    mean = x[:, 168:180]
    low = np.minimum(np.ceil(x[:, 192:204] * 1000), np.floor(mean * 1000))
    high = np.maximum(np.round(x[:, 204:216] * 1000), np.ceil(mean * 1000))
    x[:, 192:204], x[:, 204:216] = low / 1000, high / 1000
    return x


def _ranks(z: np.ndarray) -> np.ndarray:
    """0-based rank of each value within its column, shape of ``z``."""
    # Each column sorted as a contiguous row: several times faster than down axis 0.
    order = np.argsort(np.ascontiguousarray(z.T), axis=1)  # (d, n); no ties in z
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(len(z))[None, :], axis=1)
    return ranks.T


def quantile_knots(
    stats: ColumnStats, j: int, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The real column ``j``'s quantile function as (normal score, value) knots.

    Between the minimum, the quantiles 1/25/50/75/99% and the maximum the value is
    linear in the normal score of the level, not in the level itself: exact for a
    normal column, and for a long tail most of the top 24% stay near the 75%
    quantile instead of spreading evenly to the 99% one. The lowest and highest
    ``scores`` take the minimum and maximum, so both are values of the column. A
    share of rows at the minimum above 1% becomes a knot, so that share sits there.
    """
    levels = np.array(QUANTILES)
    values = stats.quantiles[j]
    share = stats.share_at_min[j]
    if share >= 1:  # a constant column (216-219)
        return np.array([scores[0], scores[-1]]), np.array([stats.min[j]] * 2)
    if share > QUANTILES[0]:
        above = levels > share
        levels = np.array([share, *levels[above]])
        values = np.array([stats.min[j], *values[above]])
    knots_s = np.array([scores[0], *map(_NORMAL.inv_cdf, levels), scores[-1]])
    knots_x = np.array([stats.min[j], *values, stats.max[j]])
    return knots_s, knots_x


def _normal_scores(n: int) -> np.ndarray:
    """The standard normal quantile of (rank + 0.5) / n for ranks 0..n-1, ascending."""
    return np.array([_NORMAL.inv_cdf((i + 0.5) / n) for i in range(n)])


def _normal_cdf(s: np.ndarray) -> np.ndarray:
    return np.array([_NORMAL.cdf(v) for v in s])


def _order_statistics(x: np.ndarray) -> None:
    """Makes min <= median, mean <= max in each band (rhythm) or class (chroma)."""
    for band in range(24):  # rhythm: mean, ..., median 96+, min 120+, max 144+
        mean, median = x[:, band], x[:, 96 + band]
        x[:, 120 + band] = np.minimum.reduce([x[:, 120 + band], median, mean])
        x[:, 144 + band] = np.maximum.reduce([x[:, 144 + band], median, mean])
    for k in range(12):  # chroma mean 168+, min 192+, max 204+; timbre min <= max
        x[:, 192 + k] = np.minimum(x[:, 192 + k], x[:, 168 + k])
        x[:, 204 + k] = np.maximum(x[:, 204 + k], x[:, 168 + k])
        x[:, 252 + k] = np.maximum(x[:, 252 + k], x[:, 240 + k])


def _shares(counts: np.ndarray) -> np.ndarray:
    """Splits N_TEST rows in proportion to ``counts``, by largest remainder."""
    share = counts * N_TEST / counts.sum()
    whole = np.floor(share).astype(int)
    whole[np.argsort(-(share - whole), kind="stable")[: N_TEST - whole.sum()]] += 1
    return whole
