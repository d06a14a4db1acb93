"""``landasset profiles``: the bundled suitability profiles, one line each."""

from __future__ import annotations

import click


@click.command()
def profiles() -> None:
    """List the bundled industry profiles with a one-line description.

    \b
    Example:
      landasset profiles
    """
    from landasset.suitability import list_profiles, load_profile

    names = list_profiles()
    width = max(len(n) for n in names)
    for name in names:
        model = load_profile(name)
        description = " ".join(str(getattr(model, "description", "") or "").split())
        click.echo(f"{name:<{width}}  {description}")
