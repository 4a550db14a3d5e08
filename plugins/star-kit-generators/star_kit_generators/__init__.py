"""star_kit generators: ``flow_matching`` (rectified flow, STAR's) and ``diffusion`` (DDPM / DDIM)."""
