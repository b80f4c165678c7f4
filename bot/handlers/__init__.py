"""One module per feature: common commands, questions and buttons, admin."""
