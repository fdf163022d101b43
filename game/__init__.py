"""Balcony's front ends: the pygame window (game.window), the terminal (game.textui) and the CLI."""
