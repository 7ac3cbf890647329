"""Refit a shipped pack's guard thresholds at a validation quantile, without retraining.

    python tools/refit_guard_threshold.py models/<id> --data ../shared/datasets/<set> \
        --ood-probe DIR [--ood-probe DIR ...] [--quantile Q] [--combined] \
        --signing-key .signing/cliniclens-release.ed25519

The command only; what it does and why is in ``training/guard_refit.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training.guard_refit import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
