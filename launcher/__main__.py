"""``python -m launcher``: the same as the ``cliniclens`` command."""

import sys

from launcher import main

sys.exit(main())
