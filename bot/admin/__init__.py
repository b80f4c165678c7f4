"""Admin commands: statistics, reload, reindex, and documents added or removed from Telegram."""
