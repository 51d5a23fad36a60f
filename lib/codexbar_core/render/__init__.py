"""Renderers: SwiftBar/xbar menu markup, terminal text, and the cost chart image."""
