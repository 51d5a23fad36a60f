"""Local cost: discover session logs, parse token events, reduce to deltas, price them, report."""
