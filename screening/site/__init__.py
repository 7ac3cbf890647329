"""Site calibration: fit a pack's operating point to a clinic's labelled images, keep it as a
sealed profile beside the pack, and screen with it (see inference.site for the maths)."""
