"""Test rig shared by every suite: fake ChatGPT backend (TLS), throw-away CODEX_HOME, real codex CLI."""
