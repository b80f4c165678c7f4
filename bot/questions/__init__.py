"""Questions: text and /hoi, the answer with its buttons, and the commands that introduce them."""
