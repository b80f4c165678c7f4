"""Files and folders the faces create under the data dir, private to the service's user
whatever the umask: the bot's database (0600) and its quarantine (0700). The core's own files
are made the same way (``retrieval.atomic``)."""

from __future__ import annotations

from retrieval.atomic import private_dir, private_file

__all__ = ["private_dir", "private_file"]
