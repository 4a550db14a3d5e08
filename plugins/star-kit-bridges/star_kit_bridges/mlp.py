"""STAR's MLP probe as a bridge: masked mean over time, hidden layers, then ``k`` condition tokens.

Ein-notation:
    b  batch
    t  speech frames
    k  condition tokens
    d  feature width
"""

from __future__ import annotations

import torch
from einops import rearrange
from torch import Tensor, nn

from star_kit.errors import StarKitError
from star_kit.interfaces import Bridge, Frames
from star_kit.nn import masked_mean
from star_kit_bridges.checks import check_frames


class MLPBridge(Bridge):
    """Masked mean-pool, ``num_layers`` x [Linear -> BatchNorm1d -> Dropout -> ReLU], then Linear to tokens.

    This is STAR's stage-1 probe (``FullyConnectedPrediction``: Xavier-uniform weights, gain by the previous
    activation) with its class head replaced by a Linear to ``num_tokens * out_dim`` condition features.
    Padded frames are excluded from the mean exactly. BatchNorm needs batches of at least 2 in train mode.

    Args:
        in_dim: width of the speech frames (wired from the encoder's ``dim``).
        out_dim: width of each condition token.
        hidden_dim: width of the hidden layers.
        num_layers: hidden layers (STAR: 1 or 2; 0 gives a linear map of the pooled frames).
        dropout: dropout probability after each BatchNorm.
        num_tokens: condition tokens ``k`` produced (the Linear's output is split into ``k`` tokens).
    """

    def __init__(
        self,
        in_dim: int,
        out_dim: int = 1024,
        hidden_dim: int = 1024,
        num_layers: int = 2,
        dropout: float = 0.1,
        num_tokens: int = 1,
    ) -> None:
        super().__init__()
        if num_layers < 0 or num_tokens < 1 or min(in_dim, out_dim, hidden_dim) < 1:
            raise StarKitError(
                f"bridge 'mlp': needs num_layers >= 0, num_tokens >= 1 and positive widths, got num_layers="
                f"{num_layers}, num_tokens={num_tokens}, in_dim={in_dim}, out_dim={out_dim}, hidden_dim={hidden_dim}"
            )
        self.in_dim, self.out_dim, self.num_tokens = in_dim, out_dim, num_tokens
        layers: list[nn.Module] = []
        width, gain = in_dim, nn.init.calculate_gain("linear")
        for _ in range(num_layers):
            linear = nn.Linear(width, hidden_dim)
            nn.init.xavier_uniform_(linear.weight, gain=gain)
            layers += [linear, nn.BatchNorm1d(hidden_dim), nn.Dropout(dropout), nn.ReLU()]
            width, gain = hidden_dim, nn.init.calculate_gain("relu")
        self.hidden = nn.Sequential(*layers)
        self.proj = nn.Linear(width, num_tokens * out_dim)
        nn.init.xavier_uniform_(self.proj.weight, gain=gain)

    def forward(self, frames: Frames) -> Frames:
        """``frames (b, t, in_dim)`` -> condition tokens ``(b, k, out_dim)``, all valid, frame rate 0."""
        check_frames("mlp", frames, self.in_dim)
        pooled = masked_mean(frames.values, frames.mask, dim=1)  # (b, in_dim)
        tokens = rearrange(self.proj(self.hidden(pooled)), "b (k d) -> b k d", k=self.num_tokens)  # (b, k, out_dim)
        mask = torch.ones(tokens.shape[:2], dtype=torch.bool, device=tokens.device)  # (b, k)
        return Frames(tokens, mask, 0.0)

    def output_projection(self) -> nn.Linear:
        """The final Linear (``proj``), what ``stage2.train_bridge=proj`` fine-tunes."""
        return self.proj

    def pooled(self, frames: Frames) -> Tensor:
        """One vector per clip for the stage-1 classification head: the mean of the tokens, ``(b, out_dim)``."""
        return self(frames).values.mean(dim=1)
