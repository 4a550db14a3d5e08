"""Input checks shared by the bridges. Shapes: b batch, t frames, d width."""

from __future__ import annotations

from star_kit.errors import StarKitError
from star_kit.interfaces import Frames


def check_frames(name: str, frames: Frames, in_dim: int) -> None:
    """Raises a one-line :class:`StarKitError` when ``frames (b, t, d)`` cannot feed bridge ``name``."""
    if frames.dim != in_dim:
        raise StarKitError(
            f"bridge '{name}': got frames of width {frames.dim}, expected in_dim={in_dim}; "
            f"wire bridge.in_dim from the encoder's dim"
        )
    empty = (~frames.mask.any(dim=1)).nonzero().flatten().tolist()
    if empty:
        raise StarKitError(f"bridge '{name}': batch rows {empty} have no valid speech frame; drop empty clips")
