# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Tutorial 8: from a song to 264 numbers
#
# The study started from a table of 264 numbers per song and said plainly that
# "processing the data from actual music to numbers is not covered". This tutorial
# covers it. It makes a song with NumPy, follows it through the psycho-acoustic steps
# of the rhythm-patterns toolkit (a spectrogram, 24 critical bands, decibels, phon,
# sone) to the 168 rhythm numbers, adds 48 chroma and 48 MFCC numbers from librosa,
# and draws the 264-vector as the study drew its samples. Then it closes the loop: a
# folder of synthetic songs in three "genres" becomes a CSV, the study's network
# trains on it, and a new song gets its genre.
#
# The first call into librosa in a new process takes a few seconds while numba loads
# its compiled functions; after that a 30-second song takes about 0.2 s of CPU.
#
# **Needs:** minigenre with the `audio` extra, librosa and soundfile
# (`pip install "minigenre[audio]"`); the first code cell stops with that command if
# they are missing.

# %%
# %matplotlib inline
from minigenre.course import check, requires, show_figure

requires("librosa", "soundfile")  # stops here, saying how to install them, if missing

import tempfile
import warnings
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from minigenre.audio import (
    FEATURE_NAMES,
    MLBP2018_NAMES,
    extract_features,
    folder_features,
    loudness,
    rhythm,
    synth,
    tonal,
    write_features_csv,
)
from minigenre.study import workflow
from minigenre.study.config import DataSource
from minigenre.study.data import SECTIONS
from minigenre.study.plots import plot_samples

SR = loudness.SAMPLE_RATE  # 44 100 Hz, the rate the rhythm settings are made for

# %% [markdown]
# ## A song made with NumPy
#
# `synth.song` mixes a few instruments: here, for the "folk" genre, plucked strings
# (tones whose harmonics die away quickly) picking the notes of a I-V-vi-IV chord
# progression, and a soft shaker (a burst of noise) on every beat. Its seed picks
# the key and the tempo. Eight seconds are enough: the rhythm features need one
# segment of `2**18` samples, 5.94 s.

# %%
y = synth.song("folk", seconds=8.0, seed=0)
print(f"{len(y)} samples, {len(y) / SR:.1f} s, peak {np.abs(y).max():.2f}")


def draw_waveform(y, seconds=2.0):
    n = round(seconds * SR)
    fig = Figure(figsize=(9, 2.5), layout="constrained")
    ax = fig.subplots()
    ax.plot(np.arange(n) / SR, y[:n], linewidth=0.4)
    ax.set(xlabel="time (s)", ylabel="sample", title="The first two seconds")
    return fig


show_figure(draw_waveform(y), "08_waveform")

# %% [markdown]
# ## Step 1: the spectrogram
#
# The toolkit cuts each segment into frames of 1024 samples (23 ms), each half
# overlapping the next, multiplies every frame by a Hann window so its edges do not
# ring, and takes the power of its Fourier transform: 513 frequency bins, 43 Hz
# apart, for each of 511 frames. The plucks show as stacks of harmonics, the shaker
# as short vertical smears.

# %%
segment = y[: loudness.SEGMENT_LENGTH]
power = loudness.power_spectrogram(segment)  # (513, 511)
print(power.shape)


def draw_spectrogram(power):
    fig = Figure(figsize=(9, 3), layout="constrained")
    ax = fig.subplots()
    frames = np.arange(power.shape[1]) * loudness.HOP_LENGTH / SR
    image = ax.pcolormesh(
        frames, loudness.fft_frequencies(), 10 * np.log10(np.maximum(power, 1.0))
    )
    ax.set(xlabel="time (s)", ylabel="frequency (Hz)", ylim=(0, 8000))
    ax.set_title("Power spectrogram (dB)")
    fig.colorbar(image, ax=ax)
    return fig


show_figure(draw_spectrogram(power), "08_spectrogram")

# %% [markdown]
# ## Steps 2 to 6: Bark bands, decibels, phon, sone
#
# Our ears do not hear 513 bins. They group frequencies into about 24 *critical
# bands*, narrow at low frequencies and wide at high ones (the Bark scale): two tones
# inside one band blur together. So the power of the bins is summed band by band.
# Then three changes of unit make the numbers follow what we hear:
#
# * **decibels**: loudness grows with the logarithm of power;
# * **phon**: a 50 Hz tone must be far stronger than a 1 kHz tone to sound as loud.
#   The equal-loudness contours below say how much: each line joins the levels that
#   sound equally loud; the phon value of a level is the contour it lies on, read at
#   1 kHz;
# * **sone**: twice the sone value sounds twice as loud; above 40 phon that takes
#   +10 phon.

# %%
bands = loudness.bark_bands(power)  # (24, 511)
db = loudness.decibels(bands)
phon = loudness.phons(db)
sone = loudness.sones(phon)
band, frame = 4, int(np.argmax(sone[4]))  # band 5: 400-510 Hz, its loudest frame
print(
    f"band {band + 1}, frame {frame}: {bands[band, frame]:.3g} -> "
    f"{db[band, frame]:.1f} dB -> {phon[band, frame]:.1f} phon -> "
    f"{sone[band, frame]:.2f} sone"
)


def draw_loudness(sone):
    fig = Figure(figsize=(11, 3.2), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1, 2])
    for level, contour in zip(
        loudness.PHON_LEVELS, loudness.EQUAL_LOUDNESS_DB, strict=True
    ):
        left.semilogx(loudness.CONTOUR_FREQUENCIES, contour, label=f"{level:g} phon")
    left.set(xlabel="frequency (Hz)", ylabel="level (dB)")
    left.set_title("Equal-loudness contours")
    left.legend(fontsize="small")
    frames = np.arange(sone.shape[1]) * loudness.HOP_LENGTH / SR
    image = right.pcolormesh(frames, np.arange(1, 25), sone)
    right.set(xlabel="time (s)", ylabel="Bark band", title="Sonogram (sone)")
    fig.colorbar(image, ax=right)
    return fig


show_figure(draw_loudness(sone), "08_loudness")

# %% [markdown]
# ## Seven numbers per band: the Statistical Spectrum Descriptor
#
# A song is summarized by how each band's loudness is spread over time: its mean,
# variance, skewness, kurtosis, median, min and max, 7 x 24 = 168 numbers. The
# package computes them per 5.94 s segment and averages over the segments; this
# song has one.

# %%
stats = rhythm.band_statistics(sone)  # (7, 24)
ssd = rhythm.spectrum_descriptor(y)  # (168,), statistic-major
print(np.allclose(ssd, stats.ravel()))
for name, row in zip(rhythm.SSD_STATISTICS, stats, strict=True):
    print(f"{name:>6}: " + " ".join(f"{v:5.2f}" for v in row[:8]), "...")

# %% [markdown]
# ## Chroma and MFCC
#
# The other 96 numbers come from librosa. **Chroma** folds the spectrum onto the 12
# pitch classes of the octave (C, C#, ..., B): the song's key and chords show as its
# brightest rows. **MFCC** describe the shape of the spectrum, its timbre, in 12
# numbers per frame. Each row is summarized by 4 statistics over time: mean,
# standard deviation, min and max.

# %%
chroma, mfcc = tonal.chroma(y), tonal.mfcc(y)  # (12, frames) each
print("chroma", chroma.shape, "MFCC", mfcc.shape)
strongest = np.argsort(chroma.mean(axis=1))[::-1][:3]
print("strongest pitch classes:", [tonal.PITCH_CLASSES[k] for k in strongest])


def draw_chroma_and_mfcc(chroma, mfcc):
    fig = Figure(figsize=(11, 3), layout="constrained")
    left, right = fig.subplots(1, 2)
    seconds = np.arange(chroma.shape[1]) * tonal.HOP_LENGTH / SR
    left.pcolormesh(seconds, np.arange(12), chroma)
    left.set_yticks(np.arange(12), tonal.PITCH_CLASSES)
    left.set(xlabel="time (s)", title="Chroma")
    image = right.pcolormesh(seconds, np.arange(12), mfcc)
    right.set(xlabel="time (s)", ylabel="coefficient", title="MFCC")
    fig.colorbar(image, ax=right)
    return fig


show_figure(draw_chroma_and_mfcc(chroma, mfcc), "08_chroma_and_mfcc")

# %% [markdown]
# ## The 264-vector
#
# `extract_features` does all of the above in one call, for a signal or a file (WAV,
# FLAC, OGG, MP3, ...). Here it is drawn as the study drew its raw samples: whole,
# then section by section. The columns are named in `FEATURE_NAMES`;
# docs/AUDIO.md has the table.

# %%
x = extract_features(y, sr=SR)
print(x.shape, FEATURE_NAMES[0], FEATURE_NAMES[168], FEATURE_NAMES[216])
show_figure(
    plot_samples(x[None, :], [0], SECTIONS, title_prefix="Synthesized"), "08_vector"
)

# %% [markdown]
# ## Three genres, end to end
#
# `synth.write_song_folder` writes ten songs for each of three made-up genres into
# sub-folders named after them: `ambient` (slow, soft pads, no drums), `folk`
# (plucked strings, a shaker) and `techno` (fast, kick drum, hi-hat, buzzing bass).
# `folder_features` turns the folder into one row per song with its sub-folder as
# the genre, which is what `minigenre features music --out features.csv` writes; the
# study's network then trains on the CSV like on any labelled table, as `minigenre
# train --csv features.csv --label-column genre` does. With 30 songs the 80/20 split
# leaves 24 for training, one batch, so we train for 40 epochs instead of 4.

# %%
scratch = tempfile.TemporaryDirectory()  # removed again at the end of this section
workdir = Path(scratch.name)
synth.write_song_folder(workdir / "music", songs_per_genre=10, seconds=7.0)
found = folder_features(workdir / "music")
write_features_csv(found, workdir / "features.csv")
print(f"{len(found.files)} songs, skipped {len(found.skipped)}")

source = DataSource("csv", str(workdir / "features.csv"), "genre")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)  # the text column `file` is dropped
    dataset = source.load()
run = workflow.train_run(dataset, source, seed=0, epochs=40, verbose=0)
evaluation = workflow.evaluate_run(run, dataset)
print(dataset.genre_names, f"validation accuracy {evaluation.accuracy:.2f}")

# %% [markdown]
# And a song the network has never heard, as `minigenre predict RUN --audio song.wav`
# would classify it: its features, standardized with the training statistics, then
# the model's probabilities.

# %%
new_song = synth.song("techno", seconds=7.0, seed=12345)
proba = run.model.predict(run.scaler.transform(extract_features(new_song, sr=SR)[None]))
for genre, p in zip(dataset.genre_names, proba[0], strict=True):
    print(f"{genre:>8}  {p:.3f}")
scratch.cleanup()  # the songs and the CSV; the trained run stays in memory

# %% [markdown]
# ## The 2018 course's path: its table, your song
#
# A student of the 2018 course had the Kaggle files, not the songs. Their 264 columns
# are not minigenre's: rhythm is the same SSD but in sone x 1000, chroma holds a
# variance, and the last block is the Echo Nest's timbre, which no one can compute
# from audio (docs/AUDIO.md says what is certain, what was measured and what cannot
# be known). `extract_features(..., layout="mlbp2018")` writes a song on that table's
# scale; the timbre block is left as the table's constant 1e6 and zeros, so the
# network must be trained on the two sections that can be computed:
# `TrainingOptions(sections=("rhythm", "chroma"))`, as `minigenre train --data DIR
# --sections rhythm,chroma` does. Put the Kaggle files' folder in `KAGGLE_DIR`;
# without them the embedded stand-in, shaped like the real table but not made of
# songs, takes their place (its answer for a song then means little, but every step
# is the real one).

# %%
KAGGLE_DIR = None  # e.g. "~/data/music-genres": train_data.csv, train_labels.csv, ...

if KAGGLE_DIR is None:
    course_source = DataSource()  # the embedded stand-in of the 2018 table
else:
    course_source = DataSource("kaggle", str(Path(KAGGLE_DIR).expanduser()))
course = course_source.load()
computable = ("rhythm", "chroma")
course_run = workflow.train_run(
    course, course_source, seed=0, verbose=0,
    options=workflow.TrainingOptions(sections=computable),
)  # fmt: skip
keep = np.concatenate([np.arange(264)[SECTIONS[name]] for name in computable])
song_2018 = extract_features(
    synth.song("folk", seconds=7.0, seed=7), sr=SR, layout="mlbp2018"
)  # (264,)
print(f"{'column':<22}{'your song':>12}{'table median':>14}")
for column in (0, 23, 71, 168, 180, 216):
    median = np.median(course.x_train[:, column])
    print(f"{MLBP2018_NAMES[column]:<22}{song_2018[column]:>12.4g}{median:>14.4g}")
proba = course_run.model.predict(course_run.scaler.transform(song_2018[None, keep]))
for k in np.argsort(-proba[0])[:3]:
    print(f"{course.genre_names[k]:>13}  {proba[0, k]:.3f}")

# %% [markdown]
# The song's numbers are in the table's units: rhythm in sone x 1000 (this quiet,
# bass-less synthesized song lower than most of the table's songs in band 1), a
# variance for chroma, 1e6 in columns 216-219; a band that never changed would show
# the floor 1.066 and skewness 1000, as band 24 does in most of the table. Without
# the rescaling the network would see rhythm values 1000 times too small, as if
# every song were near silence. `minigenre predict RUN
# --audio song.wav` does the same for a run trained with `--sections rhythm,chroma`,
# and refuses, in one line, a run that reads the timbre block.

# %% [markdown]
# ## Exercise
#
# Replace the `raise` line with your code, run the cell, then the check below it (or
# `minigenre check 08` in a terminal). The solution is in `tutorials/solutions/`,
# for after you have tried.
#
# Write `loudest_band(y)`: the Bark band (1 to 24) in which the 7-second signal `y`
# (44.1 kHz) is loudest on average, read from its 264 features. A pure tone should
# land in the band that holds its frequency: 440 Hz in band 5 (400-510 Hz), 1 kHz in
# band 9 (920-1080 Hz), 3 kHz in band 16 (2700-3150 Hz).


# %%
def loudest_band(y):
    raise NotImplementedError(
        "not implemented yet: loudest_band(y) should return the Bark band (1 to"
        " 24) in which the song y is loudest"
    )


# %%
check(loudest_band)

# %% [markdown]
# **2. Frames.** A spectrogram cuts the signal into frames of `frame` samples, one
# starting every `hop` samples. Write `frame_count(n, frame, hop)`: how many whole
# frames fit in `n` samples (no frame runs past the end, no padding).


# %%
def frame_count(n, frame, hop):
    raise NotImplementedError(
        "not implemented yet: frame_count(n, frame, hop) should return how many"
        " whole frames of frame samples, hop apart, fit in n samples"
    )


# %%
check(frame_count)

# %% [markdown]
# **3. Decibels.** Write `power_to_db(power, ref)`: each power's level in decibels
# relative to the power `ref`. Decide which factor applies to a power rather than an
# amplitude.


# %%
def power_to_db(power, ref):
    raise NotImplementedError(
        "not implemented yet: power_to_db(power, ref) should return each "
        "power's level in decibels relative to ref"
    )


# %%
check(power_to_db)
