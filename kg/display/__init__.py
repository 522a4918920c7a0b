"""How kg's results show: one short line each (`lines`), lists as tables that turn into
records or DataFrames (`results`, `records`), a trace as a tree (`tree`), and HTML for
Jupyter. It sits under `kg.model`, whose types inherit its mixins, and imports nothing of
kg but `kg.errors`."""

from kg.display.lines import ShortRepr
from kg.display.results import Results
from kg.display.tree import TreeDisplay

__all__ = ["Results", "ShortRepr", "TreeDisplay"]
