"""The ``minigenre`` command line."""

from __future__ import annotations

import argparse

from minigenre import __version__


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="minigenre")
    parser.add_argument("--version", action="version", version=__version__)
    parser.parse_args(argv)
    return 0
