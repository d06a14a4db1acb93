"""The generators of the sample data; nothing here loads at ``import landasset``.

* :mod:`~landasset._samplegen.yunqi` builds the illustrative Yunqi district
  (``sample_data/yunqi.gpkg``);
* :mod:`~landasset._samplegen.history` its lifecycle history (the ledger events);
* :mod:`~landasset._samplegen.synthetic` a synthetic city of any size, for benchmarks
  and tests.

The public names stay where users find them: ``landasset.sample.build_yunqi``,
``landasset.sample.synthetic_city`` and ``landasset.lifecycle.sample_events`` load
these modules on first use.
"""
