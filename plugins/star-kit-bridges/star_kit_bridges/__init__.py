"""star_kit bridges: ``mlp`` (STAR's pooled MLP probe) and ``qformer`` (a BLIP-2 Q-Former)."""
