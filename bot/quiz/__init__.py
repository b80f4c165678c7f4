"""Quiz polls: practice alone in a private chat, and training sessions in a group."""
