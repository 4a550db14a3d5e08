"""Contract tests for component authors.

A plugin's test subclasses the mixin of its kind with a tiny configuration; pytest collects the inherited tests::

    from star_kit.testing import BridgeContract

    class TestMyBridge(BridgeContract):
        name = "my_bridge"                       # the registered name
        kwargs = {"in_dim": 16, "out_dim": 8}    # a tiny configuration, wired dimensions included

Every mixin checks output shapes, masks that follow input lengths, that padding does not change valid outputs,
that ``freeze()`` freezes, the state-dict round trip, and that the component binds (and, where ``build_defaults``
is True, builds) from its registered defaults.
"""

from star_kit.testing.contracts import BridgeContract, EncoderContract, GeneratorContract, VocoderContract

__all__ = ["BridgeContract", "EncoderContract", "GeneratorContract", "VocoderContract"]
