"""The shared backbone :class:`star_kit.nn.DiT` and :func:`star_kit.nn.masked_mean`."""

import pytest
import torch

from star_kit.errors import StarKitError
from star_kit.nn import DiT, masked_mean

TINY = {"latent_dim": 4, "cond_dim": 6, "width": 32, "depth": 5, "heads": 4}


def _inputs() -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    mask = torch.arange(10)[None] < torch.tensor([[10], [6]])  # (b, t)
    cond_mask = torch.arange(5)[None] < torch.tensor([[5], [2]])  # (b, k)
    return {
        "x": torch.randn(2, 10, 4, generator=gen),
        "time": torch.tensor([0.3, 0.8]),
        "mask": mask,
        "cond": torch.randn(2, 5, 6, generator=gen),
        "cond_mask": cond_mask,
    }


def test_zero_init_predicts_zero_and_plain_init_does_not() -> None:
    torch.manual_seed(0)
    assert DiT(**TINY)(**_inputs()).abs().max() == 0
    assert DiT(**TINY, zero_init=False)(**_inputs()).abs().min() > 0


@pytest.mark.parametrize("pooled_cond", [False, True])
def test_padding_never_reaches_valid_frames(pooled_cond: bool) -> None:
    torch.manual_seed(0)
    model = DiT(**TINY, zero_init=False, pooled_cond=pooled_cond).eval()
    inputs = _inputs()
    garbage = {**inputs, "x": inputs["x"].clone(), "cond": inputs["cond"].clone()}
    garbage["x"][1, 6:] = 1e3
    garbage["cond"][1, 2:] = -1e3
    with torch.no_grad():
        a, b = model(**inputs), model(**garbage)
        alone = model(
            x=inputs["x"][1:, :6],
            time=inputs["time"][1:],
            mask=inputs["mask"][1:, :6],
            cond=inputs["cond"][1:, :2],
            cond_mask=inputs["cond_mask"][1:, :2],
        )
    torch.testing.assert_close(a[inputs["mask"]], b[inputs["mask"]])
    torch.testing.assert_close(a[1, :6], alone[0], atol=1e-5, rtol=1e-4)


def test_fully_masked_condition_rows_stay_finite() -> None:
    torch.manual_seed(0)
    inputs = _inputs()
    inputs["cond_mask"][1] = False
    out = DiT(**TINY, zero_init=False)(**inputs)
    assert torch.isfinite(out).all()


def test_time_and_condition_both_matter() -> None:
    torch.manual_seed(0)
    model = DiT(**TINY, zero_init=False).eval()
    inputs = _inputs()
    base = model(**inputs)
    assert not torch.allclose(base, model(**{**inputs, "time": torch.tensor([0.9, 0.1])}))
    assert not torch.allclose(base, model(**{**inputs, "cond": torch.zeros(2, 5, 6)}))


@pytest.mark.parametrize("pooled_cond", [False, True])
def test_pooled_condition_reaches_the_output_without_cross_attention(pooled_cond: bool) -> None:
    torch.manual_seed(0)
    model = DiT(**TINY, zero_init=False, pooled_cond=pooled_cond).eval()
    for block in model.blocks:
        torch.nn.init.zeros_(block.cross.to_out.weight)  # cut the cross-attention path (its bias is zero)
    inputs = _inputs()
    with torch.no_grad():
        changed = not torch.allclose(model(**inputs), model(**{**inputs, "cond": inputs["cond"] + 1.0}))
    assert changed == pooled_cond


def test_long_skips_pair_first_half_with_second_half() -> None:
    with_skips, without = DiT(**TINY), DiT(**TINY, long_skips=False)
    assert [b.skip is not None for b in with_skips.blocks] == [False, False, False, True, True]
    assert all(b.skip is None for b in without.blocks)


def test_paper_size_is_about_half_a_billion_parameters() -> None:
    with torch.device("meta"):
        model = DiT(latent_dim=128, cond_dim=1024, width=1024, depth=24, heads=16)
    assert 5.0e8 < sum(p.numel() for p in model.parameters()) < 6.0e8


def test_heads_must_divide_width_and_sizes_be_positive() -> None:
    with pytest.raises(StarKitError, match="heads=4 is not allowed: a divisor of width 30 that leaves an even head"):
        DiT(latent_dim=4, cond_dim=4, width=30, depth=1, heads=4)
    for name in ("width", "depth", "heads", "patch_size"):
        with pytest.raises(StarKitError, match=f"{name}=0 is not allowed: >= 1"):
            DiT(latent_dim=4, cond_dim=4, **{"width": 8, "depth": 1, "heads": 2, name: 0})


def test_masked_mean_ignores_padding_even_when_it_is_not_finite() -> None:
    x = torch.tensor([[[1.0, 3.0], [5.0, 7.0]], [[2.0, 2.0], [float("nan"), float("inf")]]])  # (b, t, d)
    mask = torch.tensor([[True, True], [True, False]])
    assert masked_mean(x, mask) == pytest.approx((1 + 3 + 5 + 7 + 2 + 2) / 6)
    torch.testing.assert_close(masked_mean(x, mask, dim=1), torch.tensor([[3.0, 5.0], [2.0, 2.0]]))
    torch.testing.assert_close(masked_mean(x, torch.zeros(2, 2, dtype=torch.bool), dim=1), torch.zeros(2, 2))
