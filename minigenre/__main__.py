"""Lets ``python -m minigenre`` run the command line."""

import sys

from minigenre.cli import main

sys.exit(main())
