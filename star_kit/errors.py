"""The one exception type for mistakes a user can fix (bad config, bad file, unknown name)."""


class StarKitError(Exception):
    """A user or config error: the CLI prints its message as one line and exits 1.

    The message names the file, key or component at fault and what to do about it.
    """


class ArgumentError(StarKitError):
    """A component's constructor argument out of what it allows, raised as ``ArgumentError("heads", 3, "a divisor
    of width 256")``; built from a config, :func:`star_kit.config.instantiate` names the full key
    (``generator.heads=3 is not allowed: a divisor of width 256``)."""

    def __init__(self, name: str, value: object, allowed: str) -> None:
        super().__init__(f"{name}={value!r} is not allowed: {allowed}")
        self.name, self.value, self.allowed = name, value, allowed
