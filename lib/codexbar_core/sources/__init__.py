"""Usage sources: each turns one data path into a `UsageSnapshot` or raises a `CodexbarError`."""
