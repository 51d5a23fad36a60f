from codexbar_core.cli import run

run()
