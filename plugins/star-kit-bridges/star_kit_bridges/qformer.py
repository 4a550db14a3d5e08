"""A BLIP-2 Q-Former bridge: learned queries cross-attend to the speech frames (STAR's Q-Former variant).

The transformer is transformers' ``Blip2QFormerModel`` (the BLIP-2 / LAVIS Q-Former: BERT layers with post-LN,
query-only feed-forward, cross-attention every ``cross_attention_freq`` layers), randomly initialised from a BERT-base
sized config, as STAR does. Its cross-attention keys and values project from ``in_dim`` directly, so no separate
input projection is needed.

Ein-notation:
    b  batch
    t  speech frames
    q  queries (condition tokens)
    d  feature width
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from transformers import Blip2QFormerConfig, Blip2QFormerModel

from star_kit.errors import StarKitError
from star_kit.interfaces import Bridge, Frames
from star_kit_bridges.checks import check_frames


class QFormerBridge(Bridge):
    """``num_queries`` learned queries -> Q-Former over the speech frames -> Linear ``hidden_dim -> out_dim``.

    The output always has ``num_queries`` tokens, all valid, whatever the speech length; padded frames are excluded
    from cross-attention by the length mask. The final Linear ``proj`` is the :meth:`output_projection`: STAR's
    stage 2 trains it alone and freezes everything else.

    Args:
        in_dim: width of the speech frames (wired from the encoder's ``dim``).
        out_dim: width of the condition tokens (STAR: 1024).
        num_queries: learned queries ``q`` (STAR: 32), initialised N(0, 0.02).
        num_layers: Q-Former layers (STAR: 2).
        hidden_dim: Q-Former width (BERT-base: 768).
        heads: attention heads (BERT-base: 12).
        ffn_dim: feed-forward width (BERT-base: 3072).
        cross_attention_freq: layer ``i`` cross-attends to the speech when ``i % cross_attention_freq == 0``
            (STAR's code: 2, so with 2 layers only the first cross-attends; 1 gives every layer cross-attention).
        dropout: hidden and attention dropout (BERT: 0.1).
    """

    def __init__(
        self,
        in_dim: int,
        out_dim: int = 1024,
        num_queries: int = 32,
        num_layers: int = 2,
        hidden_dim: int = 768,
        heads: int = 12,
        ffn_dim: int = 3072,
        cross_attention_freq: int = 2,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        if hidden_dim % heads or min(num_queries, num_layers, cross_attention_freq) < 1:
            raise StarKitError(
                f"bridge 'qformer': hidden_dim {hidden_dim} must be divisible by heads {heads}, and num_queries, "
                f"num_layers, cross_attention_freq must be >= 1 (got {num_queries}, {num_layers}, "
                f"{cross_attention_freq})"
            )
        self.in_dim, self.out_dim = in_dim, out_dim
        config = Blip2QFormerConfig(
            hidden_size=hidden_dim,
            num_hidden_layers=num_layers,
            num_attention_heads=heads,
            intermediate_size=ffn_dim,
            hidden_dropout_prob=dropout,
            attention_probs_dropout_prob=dropout,
            encoder_hidden_size=in_dim,
            cross_attention_frequency=cross_attention_freq,
            use_qformer_text_input=False,
            attn_implementation="sdpa",
        )
        self.qformer = Blip2QFormerModel(config)
        self.queries = nn.Parameter(torch.randn(1, num_queries, hidden_dim) * 0.02)  # (1, q, hidden)
        self.proj = nn.Linear(hidden_dim, out_dim)
        nn.init.xavier_uniform_(self.proj.weight, gain=nn.init.calculate_gain("relu"))  # as STAR's projection

    def forward(self, frames: Frames) -> Frames:
        """``frames (b, t, in_dim)`` -> condition tokens ``(b, q, out_dim)``, all valid, frame rate 0."""
        check_frames("qformer", frames, self.in_dim)
        b = frames.values.shape[0]
        hidden = self.qformer(
            query_embeds=self.queries.expand(b, -1, -1),  # (b, q, hidden)
            encoder_hidden_states=frames.values,  # (b, t, in_dim)
            encoder_attention_mask=frames.mask,  # (b, t)
        ).last_hidden_state  # (b, q, hidden)
        tokens = self.proj(hidden)  # (b, q, out_dim)
        mask = torch.ones(tokens.shape[:2], dtype=torch.bool, device=tokens.device)  # (b, q)
        return Frames(tokens, mask, 0.0)

    def output_projection(self) -> nn.Linear:
        """The final Linear (``proj``), what ``stage2.train_bridge=proj`` fine-tunes."""
        return self.proj

    def pooled(self, frames: Frames) -> Tensor:
        """One vector per clip for the stage-1 head: the mean of the query tokens, ``(b, out_dim)`` (as STAR)."""
        return self(frames).values.mean(dim=1)
