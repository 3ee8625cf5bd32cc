"""``python -m innertalk`` runs the same CLI as the ``innertalk`` console script."""

from innertalk.cli import main

raise SystemExit(main())
