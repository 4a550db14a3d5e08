"""Mean-pooling bridge: (b, t, in_dim) frames -> one (b, 1, out_dim) condition token."""

import torch

from star_kit.interfaces import Bridge, Frames


class MeanPoolBridge(Bridge):
    def __init__(self, in_dim: int, out_dim: int = 256) -> None:
        super().__init__()
        self.in_dim, self.out_dim = in_dim, out_dim
        self.proj = torch.nn.Linear(in_dim, out_dim)

    def forward(self, frames: Frames) -> Frames:
        weights = frames.mask[..., None].float()  # (b, t, 1)
        pooled = (frames.values * weights).sum(1) / weights.sum(1).clamp(min=1)  # (b, in_dim)
        token = self.proj(pooled)[:, None]  # (b, 1, out_dim)
        return Frames(token, torch.ones(token.shape[:2], dtype=torch.bool, device=token.device), 0.0)

    def output_projection(self) -> torch.nn.Linear:
        return self.proj
