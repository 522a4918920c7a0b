"""kg: a knowledge-graph browser for research notes.

>>> import kg
>>> "load" in kg.__all__ and kg.__all__ == sorted(kg.__all__)
True
"""

from kg.config import Config, load_config
from kg.errors import (
    CorpusError,
    ExportError,
    IndexCorrupt,
    IndexLocked,
    KgError,
    ModelUnavailable,
    NoteNotFound,
    ParseError,
)
from kg.graph import CorpusStats, KnowledgeGraph
from kg.loader import load
from kg.model import (
    ConceptMap,
    Diagnostic,
    Link,
    LinkKind,
    Neighbour,
    Note,
    NoteKind,
    NoteStats,
    Page,
    Severity,
)
from kg.parse_markdown import parse_markdown
from kg.parse_site import parse_page

__all__ = [
    "ConceptMap",
    "Config",
    "CorpusError",
    "CorpusStats",
    "Diagnostic",
    "ExportError",
    "IndexCorrupt",
    "IndexLocked",
    "KgError",
    "KnowledgeGraph",
    "Link",
    "LinkKind",
    "ModelUnavailable",
    "Neighbour",
    "Note",
    "NoteKind",
    "NoteNotFound",
    "NoteStats",
    "Page",
    "ParseError",
    "Severity",
    "load",
    "load_config",
    "parse_markdown",
    "parse_page",
]

__version__ = "0.1.0"
