"""Image resizing equal to OpenCV's ``cv2.resize``, in numpy, so the app ships without OpenCV.

The bundled packs were trained and calibrated on ``cv2.resize`` output (INTER_AREA when
shrinking, INTER_LINEAR when enlarging), so these functions replay OpenCV's arithmetic
rather than an idealised resampler: the same weight tables, the same float32 operation
order for area averaging and the same 11-bit fixed point for bilinear uint8. Tests compare
them with cv2 over many sizes (tests/test_resample.py).

Every pass is separable and banded: an output pixel reads a contiguous run of at most
``ceil(scale) + 1`` input pixels, so the cost is O(pixels) (a loop over band offsets, each
a gather and a multiply-add), never a dense matrix product over the image.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

import numpy as np

_COEF_BITS = 11  # OpenCV INTER_RESIZE_COEF_BITS: uint8 bilinear weights are multiples of 1/2048
_COEF_ONE = 1 << _COEF_BITS
_DBL_EPSILON = float(np.finfo(np.float64).eps)
_BLOCK_BYTES = 1 << 20  # rows per horizontal block: about this much source stays in cache


def _scale(src: int, dst: int) -> tuple[float, float]:
    """(scale, inverse scale) computed as cv2 does: from dst/src, then inverted."""
    inv = dst / src
    return 1.0 / inv, inv


def _integer_factor(scale: float) -> int:
    """The integer factor ``scale`` equals (OpenCV's test), or 0 when it is fractional."""
    k = round(scale)
    return k if abs(scale - k) < _DBL_EPSILON else 0


def _check(img: np.ndarray, width: int, height: int) -> None:
    """Fail with a clear message rather than deep inside the index arithmetic."""
    if img.ndim not in (2, 3) or img.shape[0] < 1 or img.shape[1] < 1:
        raise ValueError(f"expected an HxW or HxWxC image, got shape {img.shape}")
    if width < 1 or height < 1:
        raise ValueError(f"target size must be positive, got {width}x{height}")


def area_resize(img: np.ndarray, width: int, height: int) -> np.ndarray:
    """``cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA)`` for uint8 images.

    Shrinking in both axes averages the exact pixel overlaps (a block mean for integer
    factors); when either axis enlarges, OpenCV emulates "area" with a bilinear variant,
    and so does this.
    """
    _check(img, width, height)
    if img.dtype != np.uint8:
        raise TypeError(f"area_resize takes uint8 images, got {img.dtype}")
    h, w = img.shape[:2]
    if (h, w) == (height, width):
        return img.copy()
    sx, inv_x = _scale(w, width)
    sy, inv_y = _scale(h, height)
    if sx < 1 or sy < 1:
        return _bilinear_u8(img, _area_taps(w, width, sx, inv_x), _area_taps(h, height, sy, inv_y))
    kx, ky = _integer_factor(sx), _integer_factor(sy)
    if kx and ky:
        return _block_mean(img, kx, ky)
    xs, xw = _area_band(w, width, sx)
    ys, yw = _area_band(h, height, sy)
    # cv2 averages each row horizontally first, then accumulates rows, in float32. The same
    # order gives bit-identical sums; either order reads the source about once, so the
    # "shrink the most first" ordering would save little and lose exactness.
    out = _band_rows(_band_cols(img, xs, xw), ys, yw)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def linear_resize(img: np.ndarray, width: int, height: int) -> np.ndarray:
    """``cv2.resize(img, (width, height), interpolation=cv2.INTER_LINEAR)``, uint8 or float32.

    Half-pixel centres (src = (dst + 0.5) * scale - 0.5), clamped at the borders; uint8 uses
    OpenCV's 11-bit fixed-point weights, float32 plain float weights.
    """
    _check(img, width, height)
    if img.dtype not in (np.uint8, np.float32):
        raise TypeError(f"linear_resize takes uint8 or float32 images, got {img.dtype}")
    h, w = img.shape[:2]
    if (h, w) == (height, width):
        return img.copy()
    sx, inv_x = _scale(w, width)
    sy, inv_y = _scale(h, height)
    if _integer_factor(sx) == 2 and _integer_factor(sy) == 2:
        return _block_mean(img, 2, 2)  # cv2 switches exact halving to its area path
    xt, yt = _linear_taps(w, width, sx), _linear_taps(h, height, sy)
    if img.dtype == np.uint8:
        return _bilinear_u8(img, xt, yt)
    return _bilinear_f32(img, xt, yt)


# --- area averaging ----------------------------------------------------------------------


def _area_band(ssize: int, dsize: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Start index and float32 weights (dsize x taps) of OpenCV's computeResizeAreaTab.

    Each output cell covers [d*scale, (d+1)*scale): whole pixels weigh 1/cell, the cut
    pixels at either end their covered fraction (dropped below 1e-3, as cv2 does).
    """
    d = np.arange(dsize, dtype=np.float64)
    f1 = d * scale
    f2 = f1 + scale
    cell = np.minimum(scale, ssize - f1)
    s2 = np.minimum(np.floor(f2), ssize - 1).astype(np.int64)
    s1 = np.minimum(np.ceil(f1).astype(np.int64), s2)
    left = (s1 - f1) > 1e-3
    right = (f2 - s2) > 1e-3
    start = s1 - left
    count = left + (s2 - s1) + right
    taps = int(count.max())
    j = np.arange(taps)[None, :]
    full = (1.0 / cell).astype(np.float32)[:, None]
    weights = np.where(j < count[:, None], full, np.float32(0))
    rows = np.arange(dsize)
    weights[rows[left], 0] = ((s1 - f1) / cell)[left]
    last = np.minimum(np.minimum(f2 - s2, 1.0), cell) / cell
    weights[rows[right], (count - 1)[right]] = last[right]
    return start, weights.astype(np.float32)


def _band_cols(img: np.ndarray, start: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Horizontal weighted sums of runs in float32 -> (H, n[, C]), adding taps in cv2's order.

    Padding taps have weight 0 and read a clamped index: adding 0.0 leaves a float32 sum
    bit-identical, so the result equals cv2's sequential accumulation. Rows go in blocks of
    about a megabyte so each block stays in cache across the taps (a tap gathers from the
    whole row width; over the full image each tap would stream it from memory again).
    """
    h, w = img.shape[:2]
    cn = img.shape[2] if img.ndim == 3 else 1
    taps = weights.shape[1]
    # Channels flattened into columns: long inner loops instead of length-3 ones.
    cols = [_channel_index(np.minimum(start + j, w - 1), cn) for j in range(taps)]
    wts = [np.repeat(weights[:, j], cn) for j in range(taps)]
    out = np.empty((h, len(start) * cn), np.float32)
    block = max(1, _BLOCK_BYTES // (w * cn))
    tmp = np.empty((min(block, h), out.shape[1]), np.float32)
    for r in range(0, h, block):
        rows = img[r : r + block].reshape(-1, w * cn)  # a crop's view is copied per block only
        acc, part = out[r : r + block], tmp[: len(rows)]
        np.multiply(np.take(rows, cols[0], axis=1), wts[0], out=acc)
        for j in range(1, taps):
            np.multiply(np.take(rows, cols[j], axis=1), wts[j], out=part)
            acc += part
    return out.reshape((h, len(start), cn) if img.ndim == 3 else (h, len(start)))


def _channel_index(pixels: np.ndarray, cn: int) -> np.ndarray:
    """Flat column indices of every channel of ``pixels`` in an interleaved H x (W*C) row."""
    return (pixels[:, None] * cn + np.arange(cn)).ravel()


def _band_rows(img: np.ndarray, start: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Vertical weighted sums of runs of float32 rows, in cv2's order (see ``_band_cols``)."""
    h = img.shape[0]
    flat = img.reshape(h, -1)
    acc = flat[start] * weights[:, :1]
    tmp = np.empty_like(acc)
    for j in range(1, weights.shape[1]):
        np.multiply(flat[np.minimum(start + j, h - 1)], weights[:, j : j + 1], out=tmp)
        acc += tmp
    return acc.reshape((len(start),) + img.shape[1:])


def _block_mean(img: np.ndarray, kx: int, ky: int) -> np.ndarray:
    """Integer-factor shrink: each output is the mean of a ky x kx block, rounded as cv2 does."""
    cn = img.shape[2] if img.ndim == 3 else 1
    oh, ow = img.shape[0] // ky, img.shape[1] // kx
    if img.dtype == np.float32:
        acc_t: type = np.float32
    else:
        acc_t = np.uint16 if kx * ky <= 257 else np.int32  # 255 * 257 still fits 16 bits
    cols = _block_cols(img[: oh * ky], kx, ow, acc_t).reshape(oh, ky, ow * cn)
    total = cols[:, 0].copy()
    for i in range(1, ky):
        total += cols[:, i]
    total = total.reshape((oh, ow, cn) if img.ndim == 3 else (oh, ow))
    if img.dtype == np.float32:
        return total * np.float32(1.0 / (kx * ky))
    if kx == ky == 2 and cn in (1, 3, 4):
        return ((total + 2) >> 2).astype(np.uint8)  # cv2's vectorised halving rounds half up
    scaled = total.astype(np.float32) * np.float32(1.0 / (kx * ky))
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def _block_cols(img: np.ndarray, kx: int, ow: int, acc_t: type) -> np.ndarray:
    """Sums of ``kx`` neighbouring pixels per row -> (H, ow * C), in cache-sized row blocks."""
    h, w = img.shape[:2]
    cn = img.shape[2] if img.ndim == 3 else 1
    base = _channel_index(np.arange(ow) * kx, cn)
    out = np.empty((h, ow * cn), acc_t)
    block = max(1, _BLOCK_BYTES // (w * cn * img.itemsize))
    for r in range(0, h, block):
        rows, acc = img[r : r + block].reshape(-1, w * cn), out[r : r + block]
        acc[...] = np.take(rows, base, axis=1)
        for j in range(1, kx):
            acc += np.take(rows, base + j * cn, axis=1)
    return out


# --- bilinear ----------------------------------------------------------------------------


def _linear_taps(ssize: int, dsize: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """(left source index, float32 fraction) per output pixel, half-pixel centres."""
    f = ((np.arange(dsize, dtype=np.float64) + 0.5) * scale - 0.5).astype(np.float32)
    s = np.floor(f)
    return s.astype(np.int64), (f - s).astype(np.float32)


@functools.lru_cache(maxsize=64)
def linear_weights(ssize: int, dsize: int) -> np.ndarray:
    """[dsize, ssize] float32 matrix of the bilinear resize along one axis (half-pixel
    centres, edge pixels beyond the border), so resizes can be composed and applied as
    small matrix products: what heatmaps need, a few cells blown up to a whole photo."""
    if ssize == dsize:
        eye = np.eye(dsize, dtype=np.float32)
        eye.flags.writeable = False
        return eye
    s, f = _clamp_x(_linear_taps(ssize, dsize, _scale(ssize, dsize)[0]), ssize)
    s1 = np.minimum(s + 1, ssize - 1)
    w = np.zeros((dsize, ssize), np.float32)
    rows = np.arange(dsize)
    w[rows, s] = 1.0 - f
    w[rows, s1] += f  # one entry per row in each statement; s1 == s at the borders
    w.flags.writeable = False  # cached and shared: batches repeat the same sizes
    return w


def _area_taps(ssize: int, dsize: int, scale: float, inv: float) -> tuple[np.ndarray, np.ndarray]:
    """cv2's bilinear stand-in for INTER_AREA when an axis enlarges (its ``area_mode``)."""
    d = np.arange(dsize, dtype=np.float64)
    s = np.floor(d * scale)
    f = ((d + 1) - (s + 1) * inv).astype(np.float32)
    f = np.where(f <= 0, np.float32(0), f - np.floor(f)).astype(np.float32)
    return s.astype(np.int64), f


def _clamp_x(taps: tuple[np.ndarray, np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal border rule: outside the image, take the edge pixel with full weight."""
    s, f = taps
    out = (s < 0) | (s >= n - 1)
    return np.clip(s, 0, n - 1), np.where(out, np.float32(0), f).astype(np.float32)


def _fixed(f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights (1 - f, f) rounded to 11-bit fixed point as cv2 does (half to even)."""
    one = np.float32(1) - f
    return (
        np.rint(one * np.float32(_COEF_ONE)).astype(np.int32),
        np.rint(f * np.float32(_COEF_ONE)).astype(np.int32),
    )


def _rows(n: int, s: np.ndarray) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """Source rows the vertical pass reads (None: all of them), and where each tap finds its
    row among those, so the horizontal pass runs once per needed row."""
    r0, r1 = np.clip(s, 0, n - 1), np.clip(s + 1, 0, n - 1)
    needed = np.union1d(r0, r1)
    if len(needed) == n:
        return None, r0, r1
    return needed, np.searchsorted(needed, r0), np.searchsorted(needed, r1)


def _flat_rows(img: np.ndarray, rows: np.ndarray | None) -> tuple[np.ndarray, int]:
    """The chosen rows as (rows, W*C) with channels interleaved, and the channel count."""
    cn = img.shape[2] if img.ndim == 3 else 1
    src = img if rows is None else img[rows]
    return src.reshape(src.shape[0], img.shape[1] * cn), cn


def _bilinear_u8(
    img: np.ndarray, xtaps: tuple[np.ndarray, np.ndarray], ytaps: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """cv2's fixed-point bilinear: horizontal pass in int32 (x2048), then the vertical pass
    with its ``(b * (v >> 4)) >> 16`` products and a final ``(+2) >> 2``."""
    w = img.shape[1]
    xs, xf = _clamp_x(xtaps, w)
    a0, a1 = _fixed(xf)
    rows, i0, i1 = _rows(img.shape[0], ytaps[0])
    src, cn = _flat_rows(img, rows)
    hor = np.take(src, _channel_index(xs, cn), axis=1) * np.repeat(a0, cn)
    hor += np.take(src, _channel_index(np.minimum(xs + 1, w - 1), cn), axis=1) * np.repeat(a1, cn)
    hor >>= 4
    b0, b1 = _fixed(ytaps[1])
    out = np.empty((len(i0), hor.shape[1]), np.int32)
    for blk, part, low in _row_blocks(out):
        np.take(hor, i0[blk], axis=0, out=part)
        part *= b0[blk, None]
        part >>= 16
        np.take(hor, i1[blk], axis=0, out=low)
        low *= b1[blk, None]
        low >>= 16
        part += low
        part += 2
        part >>= 2
    return out.astype(np.uint8).reshape((len(i0), len(xs)) + img.shape[2:])


def _row_blocks(out: np.ndarray) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
    """(row slice, output block, scratch block) over ``out`` in blocks of about a megabyte:
    the vertical pass then works in cache, with one small scratch buffer for the whole call."""
    step = max(1, _BLOCK_BYTES // max(1, out.shape[1] * out.itemsize))
    scratch = np.empty((min(step, out.shape[0]), out.shape[1]), out.dtype)
    for r in range(0, out.shape[0], step):
        blk = slice(r, min(r + step, out.shape[0]))
        part = out[blk]
        yield blk, part, scratch[: len(part)]


def _bilinear_f32(
    img: np.ndarray, xtaps: tuple[np.ndarray, np.ndarray], ytaps: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """cv2's float bilinear: weights (1 - f, f) per axis, horizontal pass first."""
    w = img.shape[1]
    xs, xf = _clamp_x(xtaps, w)
    rows, i0, i1 = _rows(img.shape[0], ytaps[0])
    src, cn = _flat_rows(img, rows)
    hor = np.take(src, _channel_index(xs, cn), axis=1) * np.repeat(np.float32(1) - xf, cn)
    hor += np.take(src, _channel_index(np.minimum(xs + 1, w - 1), cn), axis=1) * np.repeat(xf, cn)
    b1 = ytaps[1][:, None]
    b0 = np.float32(1) - b1
    out = np.empty((len(i0), hor.shape[1]), np.float32)
    for blk, part, low in _row_blocks(out):
        np.take(hor, i0[blk], axis=0, out=part)
        part *= b0[blk]
        np.take(hor, i1[blk], axis=0, out=low)
        low *= b1[blk]
        part += low
    return out.reshape((len(i0), len(xs)) + img.shape[2:])
