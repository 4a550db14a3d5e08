"""The shared base :class:`DiTGenerator`: one flat argument list, forwarded from where each part is defined."""

import inspect

import pytest

from star_kit.interfaces import Generator
from star_kit.nn import DiT
from star_kit_generators.backbone import DiTGenerator
from star_kit_generators.diffusion import Diffusion
from star_kit_generators.flow_matching import FlowMatching

TINY = {"latent_dim": 4, "cond_dim": 8, "width": 32, "depth": 2, "heads": 4}


@pytest.mark.parametrize("cls", [FlowMatching, Diffusion])
def test_signatures_are_flat_and_forward_the_defaults_of_their_parts(cls: type) -> None:
    params = inspect.signature(cls).parameters
    dit = inspect.signature(DiT).parameters
    for name in ("width", "depth", "heads", "mlp_ratio", "long_skips", "dropout", "zero_init", "patch_size"):
        assert params[name].default == dit[name].default, name
    for name in ("cond_dropout", "null_cond", "pca_components", "backbone", "unet_channels"):
        assert params[name].default == inspect.signature(DiTGenerator).parameters[name].default, name
    assert not any(p.kind is p.VAR_KEYWORD for p in params.values())
    sample = inspect.signature(cls.sample).parameters
    for name, p in inspect.signature(Generator.sample).parameters.items():
        assert sample[name].default == p.default, name


def test_calls_bind_like_a_written_out_signature() -> None:
    gen = FlowMatching(4, 8, 32, 2, 4, time_shift=2.0)  # width, depth, heads by position, as before the base
    assert (gen.model.width, len(gen.model.blocks), gen.time_shift) == (32, 2, 2.0)
    with pytest.raises(TypeError, match=r"FlowMatching.__init__\(\) got an unexpected keyword argument 'widht'"):
        FlowMatching(**TINY, widht=3)
    with pytest.raises(TypeError, match="cond_dim"):
        Diffusion(latent_dim=4)
    with pytest.raises(TypeError, match="init"):
        Diffusion(**TINY).sample(None, 4, init=None)
