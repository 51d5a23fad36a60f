"""Knowing before you hit the wall: limits from the logs, reset credits, limit changes, turns left."""
