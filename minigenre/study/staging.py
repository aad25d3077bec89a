"""Writing a directory's files whole or not at all, and holding off Ctrl-C.

``predict`` and ``plot`` put their files into ``--out`` through `write_staged`: all
of them are written into a hidden staging directory first and moved in only once
every one is complete, so a failure leaves ``--out`` as it was. `runs.save_run`
writes a run the same way, into a hidden `sibling` of the run directory, and
replaces a previous run with two renames inside `signals_held`, so that Ctrl-C
cannot land between them.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import stat
import threading
import uuid
from collections.abc import Callable
from pathlib import Path


def sibling(path: Path, suffix: str, token: str | None = None) -> Path:
    """The hidden name ``.NAME.TOKEN.SUFFIX`` beside ``path`` (``.run.1a2b3c4d.old``);
    ``token`` is 8 random hex digits unless given, to name several for one save."""
    token = token or uuid.uuid4().hex[:8]
    return path.parent / f".{path.name}.{token}.{suffix}"


def remove_created(created: list[Path]) -> None:
    """Removes the directories a failed write created, innermost first, if empty."""
    for path in created:
        with contextlib.suppress(OSError):
            path.rmdir()


def write_staged(directory: str | os.PathLike, write: Callable[[Path], None]) -> None:
    """Calls ``write(staging)``, then moves every file it wrote into ``directory``.

    ``directory`` and its parents are created if missing; files already there with
    other names are kept, files with the same names replaced. If anything fails, even
    while the files are moved in, ``directory`` is left as it was: files moved in are
    taken out again, the ones they replaced put back, and directories created for
    them removed.

    Raises:
        ValueError: If ``directory`` is not a directory, or holds something other
            than a file (a directory, say) under the name of a file to write.
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ValueError(f"{directory}: exists and is not a directory.")
    created = [p for p in (directory, *directory.parents) if not p.exists()]
    undo = []  # how to take back each move, in order
    staging = sibling(directory, "partial")
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        write(staging)
        directory.mkdir(exist_ok=True)
        items = sorted(staging.iterdir())
        for item in items:  # all checked before anything moves
            _check_replaceable_file(directory / item.name)
        replaced = staging / ".replaced"  # the previous files, until all are in
        replaced.mkdir()
        for item in items:
            target = directory / item.name
            if os.path.lexists(target):
                os.replace(target, replaced / item.name)
                undo.append(functools.partial(os.replace, replaced / item.name, target))
            os.replace(item, target)
            undo.append(functools.partial(os.unlink, target))
    except BaseException:
        for step in reversed(undo):
            with contextlib.suppress(OSError):
                step()
        shutil.rmtree(staging, ignore_errors=True)
        remove_created(created)
        raise
    shutil.rmtree(staging, ignore_errors=True)


def _check_replaceable_file(target: Path) -> None:
    """Refuses to replace anything but a file (or a link): a directory has contents."""
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise ValueError(f"{target}: exists and is not a file; refusing to replace it.")


class InterruptedAfter(KeyboardInterrupt):
    """A Ctrl-C held until a block of work was done: it says what was done."""


@contextlib.contextmanager
def signals_held(done: str | None = None):
    """Holds Ctrl-C (SIGINT) and SIGTERM until the block ends, then acts on them.

    Python raises ``KeyboardInterrupt`` between any two statements; between the two
    renames that replace a run, that would leave no run at all. Handlers can only be
    set in the main thread; elsewhere these signals never interrupt the code anyway.
    A Ctrl-C held through a block that finished raises ``InterruptedAfter(done)``
    (if ``done`` says what the block did, e.g. "the run was saved to DIR"), so
    that the interruption is not mistaken for a failure of the work.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not None:  # None: set outside Python, keep it
            previous[signum] = signal.signal(signum, lambda n, _: received.append(n))
    finished = False
    try:
        yield
        finished = True
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        default = previous.get(signal.SIGINT) is signal.default_int_handler
        if finished and done and signal.SIGINT in received and default:
            raise InterruptedAfter(done)
        for signum in received:  # as it would have gone, now that it is safe
            handler = previous[signum]
            if callable(handler):
                handler(signum, None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)
