"""One BLAS thread for numpy: the app's matrix maths are small, and more threads only spin.

numpy's OpenBLAS starts one thread per core and lets them busy-wait between calls. The
app's numpy products are tiny (a heatmap grid mapped onto the image, a guard's projection
of one feature vector), while the cores are already busy with the ONNX sessions, image
decoding and the batch workers. On the 2-core reference machine a 500-image brain batch
with heatmaps took 5.45 s with OpenBLAS's default two threads and 3.15 s with one
(2026-11-30, `cliniclens batch`, the workers' screening time fell from 4.8 to 2.6 s each).

Set in the environment before numpy is first imported (then OpenBLAS never starts the
threads) and, where numpy was imported earlier, limited at run time with threadpoolctl.
torch keeps its own thread pool (``--threads`` in training); numpy's products in training
(fitting the guards' statistics) run on one thread too, a matter of seconds.
"""

from __future__ import annotations

import os
import sys

BLAS_THREADS = 1
# What numpy's bundled OpenBLAS (and an MKL build, where someone installs one) read at load.
BLAS_ENVIRONMENT: dict[str, str] = {
    "OPENBLAS_NUM_THREADS": str(BLAS_THREADS),
    "MKL_NUM_THREADS": str(BLAS_THREADS),
}


def limit_blas_threads() -> None:
    """Use :data:`BLAS_THREADS` BLAS threads in this process (and in children it starts)."""
    for name, value in BLAS_ENVIRONMENT.items():
        os.environ[name] = value
    if "numpy" in sys.modules:  # loaded before us: its BLAS has read the environment already
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=BLAS_THREADS, user_api="blas")


limit_blas_threads()
