"""An example third-party star_kit plugin."""
