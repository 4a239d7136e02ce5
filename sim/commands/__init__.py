"""One module per CLI command (see sim/cli.py)."""
