"""``python -m star_kit`` (and ``torchrun -m star_kit``) runs the CLI."""

from star_kit.cli import main

main()
