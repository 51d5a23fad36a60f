"""codexbar: OpenAI Codex usage limits, credits and local cost for SwiftBar / xbar menus."""

__version__ = "0.1.0"
