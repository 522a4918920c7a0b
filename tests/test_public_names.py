"""`kg` exports every type a user gets back: what the graph's methods return, every error."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import kg
from kg.graph.knowledge import KnowledgeGraph

# The graph's storage, which kg's own layers read; no user method hands them out.
INTERNAL = {"LinkTable", "NoteTable"}


def kg_classes() -> dict[str, type]:
    """Every public class defined in a kg module, by name."""
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(kg.__path__, "kg."):
        if info.name.endswith("__main__"):  # running it is running `kg`
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and value.__module__.startswith("kg") and name[0] != "_":
                found.setdefault(name, value)
    return found


def returned_classes(owner: type, classes: dict[str, type]) -> dict[str, list[str]]:
    """The kg classes named in the return annotations of `owner`'s public methods and
    properties, each with the members that return it."""
    returned: dict[str, list[str]] = {}
    for name, member in inspect.getmembers(owner):
        function = member.fget if isinstance(member, property) else member
        if name.startswith("_") or not callable(function):
            continue
        annotation = inspect.signature(function).return_annotation
        for word in re.findall(r"[A-Za-z_][\w.]*", str(annotation)):
            word = word.rsplit(".", 1)[-1]
            if word in classes:
                returned.setdefault(word, []).append(name)
    return returned


def test_every_type_the_graph_returns_is_exported():
    classes = kg_classes()
    returned = returned_classes(KnowledgeGraph, classes)
    assert {"Unsupported", "Evidence", "NearNote", "SearchHit", "Use"} <= set(returned)
    missing = {name: by for name, by in returned.items() if name not in kg.__all__}
    assert set(missing) <= INTERNAL, f"returned but not in kg.__all__: {missing}"
    assert kg.Unsupported is classes["Unsupported"]


def test_every_error_kg_raises_is_exported():
    import kg.errors

    errors = [
        name
        for name, value in vars(kg.errors).items()
        if inspect.isclass(value) and issubclass(value, kg.KgError)
    ]
    assert "StoreError" in errors
    assert [name for name in errors if name not in kg.__all__] == []
