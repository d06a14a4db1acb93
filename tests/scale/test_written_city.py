"""A synthetic city written tile by tile and scored by landasset.scale from its
partition files equals the same city scored in one process, to the bit."""

from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd
import pytest

pytest.importorskip("dask_geopandas")
distributed = pytest.importorskip("distributed")

import landasset as la  # noqa: E402
from landasset import scale  # noqa: E402
from landasset._samplegen.synthetic import CONTEXT_LAYERS  # noqa: E402
from landasset.suitability import load_profile  # noqa: E402

from .test_scale import AS_OF, assert_same_bits, client  # noqa: E402, F401


@pytest.mark.slow
def test_a_written_city_scored_from_its_partitions_equals_one_process(client, tmp_path):  # noqa: F811
    files = la.sample.write_synthetic_city(tmp_path / "city", 4_000, tile_parcels=1_500, seed=5)
    assert len(files) == 3
    context = {
        name: gpd.read_parquet(tmp_path / "city" / "context" / name) for name in CONTEXT_LAYERS
    }
    whole = la.Site(parcels=gpd.read_parquet(tmp_path / "city" / "parts"), **context)
    model = load_profile("aerospace")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = model.score(whole, as_of=AS_OF, workers=1)
        written = scale.score(
            tmp_path / "city" / "parts",
            la.Site(**context),
            model,
            as_of=AS_OF,
            client=client,
            output=tmp_path / "scored",
            shuffle=False,
        )
    got = pd.concat([pd.read_parquet(f) for f in written]).sort_index()
    want = pd.DataFrame(expected.drop(columns="geometry")).sort_index()
    assert len(got) == 4_000
    assert_same_bits(want, got.drop(columns=["geometry"])[want.columns])
    # every tile has parcels among the best and the worst: the ranks span the city
    assert got["rank"].min() == 1 and got["rank"].max() > 1_000
