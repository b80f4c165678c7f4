"""Every answer delivered once, as far as Telegram allows (issue 15).

- ``queue``: updates are recorded in the bot's database before Telegram is told they arrived;
  replays are dropped.
- ``processor``: each update is claimed before it is handled and marked done after; an update
  whose answer could not be delivered is handed back for a later attempt.
- ``limiter``: every Bot API call goes through python-telegram-bot's rate limiter hook, which
  also retries what is worth retrying (``policy``) and never sends twice a message it already
  sent for the same update (``bot.storage.outbox``).
- ``redeliver``: what is waiting (after a restart, or a failed delivery) is handled again.
"""
