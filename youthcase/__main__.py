"""Allows ``python -m youthcase``."""

from youthcase.cli.main import main

raise SystemExit(main())
