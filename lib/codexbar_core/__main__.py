import sys

from codexbar_core.cli import main

sys.exit(main())
