"""An OGC API service for a site: ``landasset serve`` (needs ``landasset[serve]``).

The service is `pygeoapi <https://pygeoapi.io>`_ — an OGC reference implementation of
OGC API – Features (Parts 1, 2 and 4) and Processes — configured for the site:

* :mod:`landasset.serve.config` builds pygeoapi's configuration: one collection per
  non-empty layer, the ``stages`` and ``events`` views, the processes;
* :mod:`landasset.serve.provider` is the feature provider plugin that reads the site
  through the library;
* :mod:`landasset.serve.processes` are the process plugins (score, explain, evaluate,
  and match when the library has it);
* :mod:`landasset.serve.access` holds the tokens and roles, and the ASGI middleware
  that checks them and caps request bodies;
* :mod:`landasset.serve.app` puts them together into an ASGI application served by
  uvicorn.

Importing :mod:`landasset` never loads this package, pygeoapi or starlette.
"""

from landasset.serve.access import AccessPolicy, Principal
from landasset.serve.app import create_app, serve
from landasset.serve.config import openapi_document, pygeoapi_config

__all__ = [
    "AccessPolicy",
    "Principal",
    "create_app",
    "openapi_document",
    "pygeoapi_config",
    "serve",
]
