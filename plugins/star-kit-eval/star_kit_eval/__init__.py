"""star_kit evaluation plugin: the ``aisfx`` judge (metric) and the ``cascade`` baseline encoder."""
