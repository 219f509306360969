"""Allow `python -m gridsvc`."""

from gridsvc.cli import main

raise SystemExit(main())
