"""The model core: scenario schema, county state, levers, the mechanisms, the Mesa model and agents, the daily
record. Arrays in, arrays out: no file I/O, no plotting, no knowledge of sweeps, pages or the CLI."""
