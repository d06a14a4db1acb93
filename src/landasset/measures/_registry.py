"""The one table of measures: each public measure function registers itself here.

A measure is one function decorated with :func:`measure`. The decorator records the
spec parameters :func:`~landasset.measures.compute` accepts for it (their defaults
come from the function's signature, layer parameters default to a layer name of the
site) and the shared intermediates it takes as keyword arguments (momepy's
``graph=`` style), with the recipe :func:`~landasset.measures.compute` uses to build
each one once per call. Nothing else lists the measures.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = [
    "BOOL",
    "CHOICE",
    "DATE",
    "LAYER",
    "NUMBER",
    "OPTIONAL_NUMBER",
    "REGISTRY",
    "REQUIRED",
    "TEXT",
    "TEXTS",
    "MeasureDef",
    "Param",
    "Shared",
    "measure",
]

#: Marks a parameter without a default.
REQUIRED = "<required>"

LAYER = "layer"
NUMBER = "number"
OPTIONAL_NUMBER = "optional number"
TEXT = "text"
TEXTS = "text or list of text"
BOOL = "true, false or null"
CHOICE = "choice"
DATE = "date"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Param:
    """A spec parameter: its kind (one of the constants above), default and choices."""

    kind: str
    default: Any = REQUIRED
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shared:
    """How :func:`~landasset.measures.compute` builds one intermediate keyword.

    ``name`` identifies the recipe: two measures whose recipes have the same name and
    the same inputs share one object. ``build`` is called with the ``inputs`` (spec
    parameters of the measure, or ``"parcels"``) as keywords, plus the intermediates
    named in ``uses`` (built first), and returns the intermediate.

    An intermediate without ``"parcels"`` among its inputs (nor among those of the
    ones it uses) belongs to the context: :class:`~landasset.measures.Context` builds
    it once and every partition of the parcels reads it. One built from the parcels
    is rebuilt for each partition when ``per_parcel`` says that its part for a parcel
    depends on that parcel alone (the parcels' snaps to the streets); otherwise it
    depends on the whole parcel layer (which parcel holds the larger part of a
    building), and a measure that uses it is computed on all the parcels at once.
    """

    name: str
    inputs: tuple[str, ...]
    build: Callable[..., Any]
    uses: tuple[str, ...] = ()
    per_parcel: bool = False


@dataclass(frozen=True)
class MeasureDef:
    """A registered measure: its function, default column, spec parameters and
    shared intermediates (keyword name → recipe)."""

    name: str
    function: Callable[..., Any]
    column: str
    params: dict[str, Param]
    shared: dict[str, Shared] = field(default_factory=dict)
    #: the layer parameter that ``kind`` narrows to some kinds (None: no ``kind``
    #: narrowing, or ``kind`` is the function's own option)
    narrows: str | None = None


#: Every registered measure, in registration order.
REGISTRY: dict[str, MeasureDef] = {}


def measure(
    *,
    column: str,
    layers: Mapping[str, str | None] | None = None,
    options: Mapping[str, str | Param] | None = None,
    narrows: str | None = None,
    shared: Mapping[str, Shared] | None = None,
) -> Callable[[F], F]:
    """Register the decorated function as a measure named after it.

    ``layers`` maps each layer parameter to the site layer it defaults to (None: the
    spec must name one); ``options`` maps each other spec parameter to its kind (or
    a :class:`Param` for choices), its default taken from the signature. Spec
    parameters follow the signature's order; ``narrows`` adds a ``kind`` parameter
    that narrows that layer. ``shared`` names the keyword intermediates and how to
    build them.
    """
    layers = dict(layers or {})
    options = dict(options or {})
    recipes = dict(shared or {})

    def register(function: F) -> F:
        name = function.__name__
        signature = inspect.signature(function)
        params: dict[str, Param] = {}
        for key, parameter in signature.parameters.items():
            default = (
                REQUIRED if parameter.default is inspect.Parameter.empty else parameter.default
            )
            if key in layers:
                layer = layers[key]
                params[key] = Param(LAYER, REQUIRED if layer is None else layer)
            elif key in options:
                option = options[key]
                if isinstance(option, Param):
                    params[key] = Param(option.kind, default, option.choices)
                else:
                    params[key] = Param(option, default)
        unknown = (set(layers) | set(options) | set(recipes)) - set(signature.parameters)
        if unknown:  # a mistake in the library itself
            raise TypeError(f"{name} has no parameter(s) {sorted(unknown)}")
        if narrows is not None:
            params["kind"] = Param(TEXTS, None)
        REGISTRY[name] = MeasureDef(name, function, column, params, recipes, narrows)
        return function

    return register
