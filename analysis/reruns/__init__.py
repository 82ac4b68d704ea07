"""Re-runs with a reader's parameters: input parsing, runs, sweeps, run pages, the warm process."""
