"""Evaluation of trained runs, one module per concept (nothing is imported here, so the CLI stays cheap to start).

* :mod:`~star_kit.evaluation.metrics`: pure metrics on arrays (judge probe, top-1, mAP, FAD, KL, WER, intervals).
* :mod:`~star_kit.evaluation.protocol`: ``starkit eval``'s protocol: a run's stage-1 and generation metrics.
* :mod:`~star_kit.evaluation.latency`: ``starkit bench latency``: front-end and generation latency.
* :mod:`~star_kit.evaluation.compare`: ``starkit compare``'s table: end-to-end vs cascade vs text upper bound.
* :mod:`~star_kit.evaluation.cli`: the click commands ``eval``, ``compare`` and ``bench``.
"""
