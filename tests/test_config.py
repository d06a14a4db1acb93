"""Configuration files (profiles, schemes) are read as plain data within fixed limits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from landasset import ProfileError
from landasset._config import MAX_BYTES, MAX_DEPTH, MAX_NODES, load_yaml, read_text
from landasset.efficiency import Scheme, load_scheme
from landasset.suitability import SuitabilityModel, load_profile

# The classic "billion laughs": 9 levels of 9 aliases each expand to 9**9 (387 million)
# strings from 700 bytes.
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
)

NESTED = {
    "flow lists": "[" * 10_000 + "]" * 10_000,
    "flow mappings": "{a: " * 10_000 + "1" + "}" * 10_000,
    "block lists": "- " * 10_000 + "x\n",
    "mixed": "- " * 100 + "{a: [" * 5_000 + "1" + "]}" * 5_000,
}

Reader = Callable[[Any], object]

# both kinds of configuration file, read through their public entry points
READERS: dict[str, Reader] = {
    "profile": SuitabilityModel.from_yaml,
    "scheme": Scheme.from_yaml,
}


@pytest.fixture(params=sorted(READERS))
def reader(request: pytest.FixtureRequest) -> Reader:
    return READERS[request.param]


def test_the_bomb_is_refused_at_its_first_anchor(reader: Reader) -> None:
    assert len(BOMB) < 1000
    with pytest.raises(ProfileError, match=r"line 1: anchors and aliases \(&name, \*name\)"):
        reader(BOMB)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: 2\n",  # an anchor alone (on a scalar) is refused too
        "a: [1, &x {b: 2}]\n",
        "a: 1\nb: *x\n",  # an alias to nothing
    ],
)
def test_any_anchor_or_alias_is_refused(text: str) -> None:
    with pytest.raises(ProfileError, match="anchors and aliases"):
        load_yaml(text, origin="test text")


@pytest.mark.parametrize("shape", sorted(NESTED))
def test_ten_thousand_levels_are_refused_at_the_depth_cap(reader: Reader, shape: str) -> None:
    with pytest.raises(ProfileError, match=f"line 1: nested more than {MAX_DEPTH} levels deep"):
        reader(NESTED[shape])


def test_the_depth_cap_is_exact() -> None:
    # a document whose root list holds lists k deep has k + 1 levels of values
    def nested(levels: int) -> str:
        return "[" * (levels - 1) + "1" + "]" * (levels - 1)

    value = load_yaml(nested(MAX_DEPTH), origin="t")
    depth = 1
    while isinstance(value, list):
        (value,) = value
        depth += 1
    assert (depth, value) == (MAX_DEPTH, 1)
    with pytest.raises(ProfileError, match="nested more than 64 levels"):
        load_yaml(nested(MAX_DEPTH + 1), origin="t")


def test_a_document_over_the_size_cap_is_refused(tmp_path: Path, reader: Reader) -> None:
    text = "notes: '" + "x" * MAX_BYTES + "'\n"
    with pytest.raises(ProfileError, match=r"larger than 1,048,576 bytes \(1 MiB\)"):
        reader(text)
    path = tmp_path / "big.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=r"file 'big.yaml' is larger than 1,048,576 bytes"):
        reader(path)
    # the cap is on bytes: 600,000 three-byte characters are 1.8 MB
    with pytest.raises(ProfileError, match="larger than"):
        load_yaml("notes: " + "亩" * 600_000, origin="t")


def test_a_document_with_too_many_values_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "[" + ", ".join(["1"] * MAX_NODES) + "]"  # the list and its items: one too many
    assert len(text) < MAX_BYTES
    with pytest.raises(ProfileError, match=f"more than {MAX_NODES:,} keys and values"):
        load_yaml(text, origin="t")
    # the cap is exact: every mapping, list, key and value counts once (here 10, then 11)
    monkeypatch.setattr("landasset._config.MAX_NODES", 10)
    assert load_yaml("[1, 2, {a: 3, b: [4, 5]}]", origin="t") == [1, 2, {"a": 3, "b": [4, 5]}]
    with pytest.raises(ProfileError, match="line 1: more than 10 keys and values"):
        load_yaml("[1, 2, {a: 3, b: [4, 5, 6]}]", origin="t")


def test_duplicate_keys_in_a_scheme_are_refused() -> None:
    text = load_scheme("zhejiang-2018").to_yaml()
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("name:"))
    doubled = "\n".join([*lines[: at + 1], "name: other", *lines[at + 1 :]])
    with pytest.raises(
        ProfileError, match=rf"^scheme text, line {at + 2}: the key 'name' appears twice"
    ):
        Scheme.from_yaml(doubled)


def test_duplicate_nested_keys_are_refused_in_both_kinds(reader: Reader) -> None:
    with pytest.raises(ProfileError, match=r"line 3: the key 'b' appears twice"):
        reader("a:\n  b: 1\n  b: 2\n")


def test_a_gbk_profile_is_refused_naming_utf8_and_the_byte(tmp_path: Path) -> None:
    text = load_profile("ai").to_yaml().replace("title:", "title: 人工智能产业用地 #", 1)
    data = text.encode("gbk")
    first = next(i for i, b in enumerate(data) if b >= 0x80)
    line = data[:first].count(b"\n") + 1
    path = tmp_path / "ai-gbk.yaml"
    path.write_bytes(data)
    with pytest.raises(ProfileError) as info:
        SuitabilityModel.from_yaml(path)
    message = str(info.value)
    assert message.startswith("profile file 'ai-gbk.yaml' is not UTF-8 text")
    assert f"byte 0x{data[first]:02X} at offset {first} (line {line})" in message
    assert "re-save the file as UTF-8" in message
    # the same file in UTF-8, with or without a byte-order mark, reads
    for encoding in ("utf-8", "utf-8-sig"):
        path.write_text(text, encoding=encoding)
        assert SuitabilityModel.from_yaml(path) == SuitabilityModel.from_yaml(text)


def test_a_gbk_scheme_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "county.yaml"
    path.write_bytes("name: 黄岩\n".encode("gbk"))
    with pytest.raises(ProfileError, match=r"^scheme file 'county.yaml' is not UTF-8 text"):
        Scheme.from_yaml(path)


def test_read_text_names_the_origin(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"a: 1\nb: \xff\n")
    with pytest.raises(ProfileError, match=r"^my file is not UTF-8 text: byte 0xFF at offset 8 "):
        read_text(path, origin="my file")


@pytest.mark.parametrize(
    "text",
    ["a: !!python/object/apply:os.system ['true']", "a: !!python/name:os.system", "a: !x 1"],
)
def test_tags_are_refused(text: str) -> None:
    with pytest.raises(ProfileError, match="refuses Python tags"):
        load_yaml(text, origin="t")


def test_merge_keys_are_refused() -> None:
    with pytest.raises(ProfileError, match=r"line 2: merge keys \(<<\)"):
        load_yaml("a: 1\n<<: {b: 2}\n", origin="t")


def test_writers_never_emit_aliases() -> None:
    # a value shared by two keys would be written as &id001/*id001 by a plain dumper
    from landasset.efficiency.scheme import _Dumper as SchemeDumper
    from landasset.suitability._yaml import Dumper as ProfileDumper

    shared = {"best": 300, "worst": 2000}
    data = {"a": shared, "b": shared, "c": [shared]}
    assert "&id" in yaml.dump(data, Dumper=yaml.SafeDumper)  # the hazard is real
    for dumper in (SchemeDumper, ProfileDumper):
        text = yaml.dump(data, Dumper=dumper)
        assert "&" not in text and "*" not in text
        assert load_yaml(text, origin="t") == data


def test_bundled_files_read_and_round_trip() -> None:
    from landasset.efficiency import list_schemes
    from landasset.suitability import list_profiles

    for name in list_profiles():
        model = load_profile(name)
        assert SuitabilityModel.from_yaml(model.to_yaml()) == model
    for name in list_schemes():
        scheme = load_scheme(name)
        assert Scheme.from_yaml(scheme.to_yaml()) == scheme


# printable text: YAML itself reads a NEL (U+0085) or other control character as a break
_characters = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**9), 10**9)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.text(_characters, max_size=12)
)
_plain = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(_characters, min_size=1, max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(_plain)
def test_plain_data_round_trips_as_yaml_safe_dump_writes_it(data: Any) -> None:
    # oracle: PyYAML's own safe dumper writes the document; the loader reads it back
    assert load_yaml(yaml.safe_dump(data, allow_unicode=True), origin="t") == data


@pytest.mark.parametrize("kind", ["profile", "scheme"])
def test_profiles_and_schemes_read_and_write_alike(tmp_path, kind):
    # one rule for a source (a path-like, a one-line *.yaml string, or YAML text), one
    # to_yaml(path=None) that writes atomically, the same errors for a missing file
    import landasset as la
    from landasset._errors import LandassetIOError

    if kind == "profile":
        loaded, cls = la.load_profile("aerospace"), la.SuitabilityModel
    else:
        loaded, cls = la.efficiency.load_scheme("zhejiang-2018"), la.efficiency.Scheme
    path = tmp_path / f"{kind}.yaml"
    text = loaded.to_yaml(path)
    assert path.read_text(encoding="utf-8") == text
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left
    assert cls.from_yaml(path) == cls.from_yaml(str(path)) == cls.from_yaml(text) == loaded
    with pytest.raises(LandassetIOError, match=f"no {kind} file at 'missing.yaml'"):
        cls.from_yaml("missing.yaml")
    with pytest.raises(ProfileError, match=f"{kind} file 'bad.yaml', line 1: anchors"):
        (tmp_path / "bad.yaml").write_text("a: &x [1]\nb: *x\n", encoding="utf-8")
        cls.from_yaml(tmp_path / "bad.yaml")
