"""star_kit: speech-to-audio generation (STAR) as a plugin-based toolkit.

Importing this package is cheap: it imports neither torch nor any model code.
"""

from star_kit.errors import StarKitError

__all__ = ["StarKitError", "__version__"]
__version__ = "0.1.0"
