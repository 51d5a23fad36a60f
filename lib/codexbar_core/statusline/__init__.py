"""`codexbar statusline`: one line of the cached numbers for tmux, waybar, i3blocks and shell prompts.

snapshot.py reads what the menu last stored (never the network), fields.py turns it into the
template's placeholders and a state, hosts.py writes each host's protocol, commands/statusline.py ties them
together. Decisions: docs/decisions/install-and-statusline.md.
"""
