"""The app runs without OpenCV (issue #7): cv2 is for training and tests, never the exe.

build.spec excludes cv2, so an app module importing it would break only in the frozen
build; these checks catch that in the ordinary test run, with or without cv2 installed.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_PACKAGES = ("inference", "screening", "gui")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_no_app_module_imports_cv2():
    offenders = [
        str(p.relative_to(ROOT))
        for pkg in APP_PACKAGES
        for p in sorted((ROOT / pkg).rglob("*.py"))
        if "cv2" in _imports(p)
    ]
    assert not offenders, f"the app must not import OpenCV (issue #7): {offenders}"


def test_app_image_modules_work_with_cv2_blocked():
    code = (
        "import sys; sys.modules['cv2'] = None\n"
        "import numpy as np\n"
        "import inference.preprocess, inference.quality, inference.overlay\n"
        "img = (np.arange(300 * 400 * 3) % 251).astype(np.uint8).reshape(300, 400, 3)\n"
        "inference.quality.measure(img)\n"
        "inference.overlay.blend(img, np.zeros((300, 400), np.float32))\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
