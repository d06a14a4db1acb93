"""``python -m landasset``: the same as the ``landasset`` command."""

from landasset.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess
    main()
