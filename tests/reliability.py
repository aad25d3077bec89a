"""Shared by the reliability suites: one hypothesis profile and a tally of cases.

Every property test runs under ``PROFILE``: a fixed seed (``derandomize``), no example
database and a bounded number of examples, so CI runs the same cases every time.
``MINIGENRE_PROPERTY_SCALE=10`` multiplies every example count, for a longer soak.

Each test calls ``record(section, category, outcome)`` once per generated case,
after its checks have passed. With ``MINIGENRE_RELIABILITY_LOG=FILE`` set, the
records are appended to ``FILE`` as JSON lines; ``benchmarks/reliability_table.py``
runs the suites that way and turns them into the table of ``docs/RELIABILITY.md``.
Without the variable, ``record`` does nothing.
"""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, settings

LOG_ENV = "MINIGENRE_RELIABILITY_LOG"
SCALE = int(os.environ.get("MINIGENRE_PROPERTY_SCALE", "1"))

PROFILE = settings(
    derandomize=True,  # the seed is fixed per test: the same cases on every run
    database=None,  # and none replayed from earlier runs
    deadline=None,  # timings on a shared CI machine are noisy
    max_examples=50 * SCALE,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def examples(n: int, function_fixtures: bool = False) -> settings:
    """``PROFILE`` with ``n`` examples (times the soak scale).

    ``function_fixtures=True`` allows ``monkeypatch`` and ``capsys`` in a test that
    patches only through ``monkeypatch.context()`` (undone after each example) and
    reads ``capsys.readouterr()`` (emptied) in each example.
    """
    checks = list(PROFILE.suppress_health_check)
    if function_fixtures:
        checks.append(HealthCheck.function_scoped_fixture)
    return settings(PROFILE, max_examples=n * SCALE, suppress_health_check=checks)


def attempt(function, *args, **kwargs):
    """``(result, None)``, or ``(None, error)`` if the call raised a ``ValueError``.

    Any other exception propagates and fails the test: the promise under test is
    that bad input ends in a ``ValueError`` or in a correct result.
    """
    try:
        return function(*args, **kwargs), None
    except ValueError as err:
        return None, err


def record(section: str, category: str, outcome: str) -> None:
    """Notes one case of ``category`` (in ``section``) and what the code did."""
    path = os.environ.get(LOG_ENV)
    if path:
        line = {"section": section, "category": category, "outcome": outcome}
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")
