"""Front-matter properties as notes hand them out: a read-only, hashable mapping.

A Markdown note keeps its front matter as one JSON object (`Note.properties_json`, what
the index stores); `Note.properties` reads it into a `Properties` mapping of immutable
values: text, numbers, booleans and None as they are, dates as ISO text, lists as tuples,
a nested mapping as another `Properties`. Being immutable and hashable, it leaves `Note`
a frozen, hashable dataclass.

>>> p = properties_from_json('{"rating": 4, "review": {"by": "Ann", "on": "2026-01-05"}}')
>>> p["rating"], p["review"]["by"], dict(p.flat())
(4, 'Ann', {'rating': 4, 'review.by': 'Ann', 'review.on': '2026-01-05'})
>>> hash(p) == hash(properties_from_json('{"rating": 4, "review": {"by": "Ann", "on": "2026-01-05"}}'))
True
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any


class Properties(Mapping[str, Any]):
    """A note's front-matter properties, in file order: a read-only mapping.

    `properties["rating"]` reads one, `properties.get("status")` one that may be missing;
    nothing can be set or deleted. Values are immutable: lists are tuples and a nested
    mapping is a `Properties` too, so the whole thing hashes.

    Examples
    --------
    >>> p = Properties({"rating": 4, "tags": ("a", "b")})
    >>> p["rating"], list(p), isinstance(p, Mapping)
    (4, ['rating', 'tags'], True)
    >>> p["rating"] = 5
    Traceback (most recent call last):
    ...
    TypeError: 'Properties' object does not support item assignment
    >>> p.to_json()
    {'rating': 4, 'tags': ['a', 'b']}
    """

    __slots__ = ("_hash", "_items")

    def __init__(self, items: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        self._items: dict[str, Any] = dict(items)
        self._hash: int | None = None

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(self._items.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Properties):
            return self._items == other._items
        if isinstance(other, Mapping):
            return self._items == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"Properties({self._items!r})"

    def flat(self) -> dict[str, Any]:
        """Every value with nested mappings spread out, keyed ``parent.child``.

        >>> Properties({"a": Properties({"b": 1, "c": Properties({"d": 2})}), "e": 3}).flat()
        {'a.b': 1, 'a.c.d': 2, 'e': 3}
        """
        out: dict[str, Any] = {}
        for key, value in self._items.items():
            if isinstance(value, Properties) and value:
                for inner, item in value.flat().items():
                    out[f"{key}.{inner}"] = item
            else:
                out[key] = value
        return out

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (dicts and lists), as `json.dumps` takes it."""
        return {key: plain(value) for key, value in self._items.items()}


def plain(value: Any) -> Any:
    """A property value as plain JSON data: tuples as lists, `Properties` as dicts.

    >>> plain((1, Properties({"a": (2,)})))
    [1, {'a': [2]}]
    """
    if isinstance(value, Properties):
        return value.to_json()
    if isinstance(value, tuple):
        return [plain(item) for item in value]
    return value


def json_safe(value: Any) -> Any:
    """A front-matter value as immutable, hashable data: dates as ISO text, lists as
    tuples, a nested mapping as `Properties`, anything else unknown as text.

    >>> import datetime as dt
    >>> json_safe([dt.date(2026, 1, 2), 3, None, {"a": [True]}])
    ('2026-01-02', 3, None, Properties({'a': (True,)}))
    """
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is list:  # most often a list of titles, or of {title: ...} entries
        return tuple([item if type(item) is str else json_safe(item) for item in value])
    if isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return Properties((str(k), json_safe(v)) for k, v in value.items())
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(json_safe(item) for item in value)
    return str(value)


_EMPTY = Properties()


@lru_cache(maxsize=4096)
def properties_from_json(text: str) -> Properties:
    """The `Properties` of a note's front matter kept as JSON text (empty when none).

    >>> properties_from_json('{"a": [1, {"b": 2}]}')
    Properties({'a': (1, Properties({'b': 2}))})
    >>> properties_from_json("")
    Properties({})
    """
    if not text:
        return _EMPTY
    try:
        data = json.loads(text)
    except ValueError:
        return _EMPTY
    if not isinstance(data, dict):
        return _EMPTY
    return Properties((str(key), json_safe(value)) for key, value in data.items())


# What a property whose name is taken by a column or attribute of kg's own is renamed to:
# this prefix before its name (a `title` property is the column `property_title`).
PREFIX = "property_"


def property_columns(properties: Properties, taken: frozenset[str]) -> dict[str, Any]:
    """The properties as columns: nested mappings spread out as ``parent.child``, and a
    name in `taken` (kg's own columns) prefixed with `PREFIX`.

    >>> p = properties_from_json('{"title": "T", "review": {"by": "Ann"}, "n": [1]}')
    >>> property_columns(p, frozenset({"title"}))
    {'property_title': 'T', 'review.by': 'Ann', 'n': (1,)}
    """
    return {
        PREFIX + key if key in taken else key: value for key, value in properties.flat().items()
    }


def scalar(value: Any) -> str | int | float | bool | None:
    """A property value as one scalar, for networkx and GraphML: text, numbers and
    booleans as they are, a list or mapping as JSON text, None as None.

    >>> scalar(4), scalar(("a", 1)), scalar(Properties({"b": None}))
    (4, '["a", 1]', '{"b": null}')
    """
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return json.dumps(plain(value), ensure_ascii=False)
