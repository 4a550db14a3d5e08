"""The one exception type for mistakes a user can fix (bad config, bad file, unknown name)."""


class StarKitError(Exception):
    """A user or config error: the CLI prints its message as one line and exits 1.

    The message names the file, key or component at fault and what to do about it.
    """
