"""The bot's own state in one SQLite file (``CCHC_BOT_DB``): the only place the bot runs SQL."""
