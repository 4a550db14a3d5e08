"""The pure parts of star_kit.evaluation.latency (timing the real front ends is in plugins/star-kit-eval)."""

from __future__ import annotations

import pytest

from star_kit.evaluation.latency import stats


def test_stats_median_and_p90() -> None:
    s = stats([float(x) for x in range(1, 11)])
    assert (s["median"], s["p90"], s["n"]) == (5.5, pytest.approx(9.1), 10)
