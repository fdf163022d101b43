"""Subcommands of `balcony`."""
