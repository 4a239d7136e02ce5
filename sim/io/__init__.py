"""Files in and out: scenario and duty-list TOML files, staged output folders, the shared table schema."""
