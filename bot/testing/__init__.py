"""Test doubles for the bot: an in-process fake Bot API server and a harness that runs the
real Application against it (used by the tests and by the load benchmark)."""
