"""How ``cchc`` fails: bad usage is one line and exit status 2; a failure of the core is one
line and exit status 1."""

EXIT_FAILURE = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad usage: reported in one line, exit status 2."""
