"""One module per command or small group of commands; ``bot.telegram.app`` registers them."""
