"""star_kit's shipped recipes (installed as ``star_kit.recipes``): one self-contained script per procedure."""
