"""``python -m screening.cli``: the headless commands without the launcher."""

import sys

from . import main

sys.exit(main())
