from __future__ import annotations

from vclinic.cli import main

raise SystemExit(main())
