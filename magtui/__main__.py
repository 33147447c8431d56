"""`python -m magtui`."""

import sys

from magtui.cli import main

sys.exit(main())
