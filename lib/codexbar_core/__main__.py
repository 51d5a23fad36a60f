from codexbar_core.entry import run

run()
