"""Set-up for the doctests of ``src/landasset`` (the tests have their own in tests/).

About sixty examples begin with ``la.sample.load("yunqi")``, which reads and validates
the whole sample district each time. During the doctests of the other modules it reads
the district once per session and hands each example a deep copy, equal to a fresh
read and free to be changed. The examples of ``landasset.sample`` itself run the real
function.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

import pytest
from _pytest.doctest import DoctestItem

_READ: dict[str, Any] = {}


@pytest.fixture(autouse=True)
def _sample_read_once(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    item = request.node
    if not isinstance(item, DoctestItem) or item.name.startswith("landasset.sample"):
        return
    from landasset import sample

    real = sample.load

    @functools.wraps(real)
    def load(name: str = "yunqi") -> Any:
        if name not in _READ:
            _READ[name] = real(name)
        return copy.deepcopy(_READ[name])

    monkeypatch.setattr(sample, "load", load)
