"""Contract tests for component authors.

A plugin's test subclasses the mixin of its kind with a tiny configuration; pytest collects the inherited tests::

    from star_kit.testing import BridgeContract

    class TestMyBridge(BridgeContract):
        name = "my_bridge"                       # the registered name
        kwargs = {"in_dim": 16, "out_dim": 8}    # a tiny configuration, wired dimensions included

Every mixin checks output shapes, masks that follow input lengths, that padding does not change valid outputs,
that ``freeze()`` freezes, the state-dict round trip, and that the component binds (and, where ``build_defaults``
is True, builds) from its registered defaults.

Fixtures come from star_kit's pytest plugin (:mod:`star_kit.testing.pytest_plugin`, loaded through the ``pytest11``
entry point wherever star_kit is installed, so a test asks for them by name, nothing to import): ``star_registry``
(a registry without installed plugins) and ``one_torch_thread`` (the test on one intra-op thread; a folder of tiny
models makes it autouse in its ``conftest.py``).
"""

from star_kit.testing.contracts import (
    BridgeContract,
    EncoderContract,
    GeneratorContract,
    JudgeContract,
    VocoderContract,
)

__all__ = ["BridgeContract", "EncoderContract", "GeneratorContract", "JudgeContract", "VocoderContract"]
