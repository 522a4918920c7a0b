"""The shipped sentence-transformers model run by ONNX Runtime: the same vectors, without
torch on the way to the first one.

Loading the model through sentence-transformers imports torch and transformers (4-10 s on
the project's 2-core machine) before a text is embedded; ONNX Runtime opens the same
network, exported once per machine, in a few tenths of a second and embeds about 1.5
times as fast. The export is the model's own float32 network (no quantization: an int8
export moved the vectors by a cosine of 0.04 on average and would change trace rankings),
with its mean pooling, so the vectors equal the sentence-transformers ones to about 1e-6
(checked against it when the export is built): `OnnxEmbedder` carries the model's name
and fingerprint, and vectors either one saved are used by the other.

The export is built locally from the installed model package (torch and transformers are
needed then, once), checked, and kept in kg's cache folder (``onnx/<fingerprint>-v1``
under `kg.embed.static.cache_root`), written to a temporary folder and renamed into
place whole; nothing is downloaded. Models whose folder is not a plain transformer with
mean pooling (and optional normalization) are not exported: `fast_transformer` then gives
the sentence-transformers embedder, as it does when onnxruntime is not installed or the
export fails.

>>> from kg.config import Config
>>> type(fast_transformer(Config(model="no-such-model-package"), strict=False)).__name__
'NoneType'
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from kg.embed.models import (
    DEFAULT_MODEL,
    Embedder,
    batches,
    count_start,
    find_model_folder,
    fingerprint,
    load_transformer,
    normalize,
)
from kg.errors import ModelUnavailable

if TYPE_CHECKING:
    from kg.config import Config

EXPORT_VERSION = 1  # what the export holds; part of its cache folder's name
_MODEL_FILE = "model.onnx"
_TOLERANCE = 1e-4  # largest difference from sentence-transformers' vectors accepted
_PROBES = [
    "A verifier is only as good as the structure it can check.",
    "Errors cancel out when many independent guesses are averaged.",
    "short",
]


def exportable(folder: Path) -> bool:
    """Whether a model folder is a plain transformer with mean pooling (and, optionally,
    normalization): the networks the export reproduces exactly.

    >>> import tempfile, pathlib
    >>> exportable(pathlib.Path(tempfile.mkdtemp()))
    False
    """
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
            return False
        pooling = json.loads(
            (folder / modules[1]["path"] / "config.json").read_text(encoding="utf-8")
        )
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return False
    modes = [k for k, v in pooling.items() if k.startswith("pooling_mode") and v]
    return modes == ["pooling_mode_mean_tokens"] and (folder / "tokenizer.json").is_file()


def onnx_available() -> bool:
    """Whether onnxruntime and tokenizers are installed (nothing is imported)."""
    return all(importlib.util.find_spec(p) is not None for p in ("onnxruntime", "tokenizers"))


class OnnxEmbedder:
    """A sentence-transformers model folder run by ONNX Runtime (see the module).

    Parameters
    ----------
    folder : pathlib.Path
        The model folder (`exportable`).
    name : str
        The name the vectors are stored with (the configured model's, as for the
        sentence-transformers embedder).
    cache : pathlib.Path, optional
        kg's cache root (`kg.embed.static.cache_root()` by default).
    token_budget : int
        Tokens a batch may hold (rows x longest row).
    """

    def __init__(
        self, folder: Path, name: str, cache: Path | None = None, token_budget: int = 2048
    ) -> None:
        from kg.embed.static import cache_root

        self.folder = Path(folder)
        self._name = name
        self.fingerprint = fingerprint(self.folder)
        self.token_budget = token_budget
        self.export_folder = (
            (cache or cache_root()) / "onnx" / f"{self.fingerprint}-v{EXPORT_VERSION}"
        )
        self.max_length = _max_length(self.folder)
        self._dim = _hidden_size(self.folder)
        self._session: Any = None
        self._tokenizer: Any = None
        self._fallback: Embedder | None = None  # sentence-transformers, if the export fails
        self._lock = threading.RLock()
        self.built = False  # whether this object built the export (not the cache)

    def __repr__(self) -> str:
        return f"OnnxEmbedder({self._name!r}, export={str(self.export_folder)!r})"

    @property
    def name(self) -> str:
        return self._name

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def cached(self) -> bool:
        """Whether the export is already built on this machine."""
        return (self.export_folder / _MODEL_FILE).is_file()

    def check(self) -> None:
        """Nothing to look for beyond what the constructor read (the folder and its
        tokenizer): the export is built on first use."""

    def build(self) -> None:
        """Export the model into the cache, once per machine (under a lock: a second
        process waits, then uses it), after checking its vectors against
        sentence-transformers'. Raises `ModelUnavailable` when that cannot be done."""
        from filelock import FileLock

        self.export_folder.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.export_folder) + ".lock"):
            if self.cached:
                return
            staging = Path(tempfile.mkdtemp(dir=self.export_folder.parent, prefix=".build-"))
            try:
                _export(self.folder, staging / _MODEL_FILE, self.max_length)
                shutil.rmtree(self.export_folder, ignore_errors=True)
                staging.rename(self.export_folder)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            self.built = True
        try:
            self._check_against_transformer()
        except ModelUnavailable:
            shutil.rmtree(self.export_folder, ignore_errors=True)
            raise

    def _check_against_transformer(self) -> None:
        reference = load_transformer_folder(self.folder, self._name).encode(_PROBES)
        ours = self.encode(_PROBES)
        difference = float(np.max(np.abs(reference - ours)))
        if not difference <= _TOLERANCE:
            self._session = None
            raise ModelUnavailable(
                f"{self.folder}: the ONNX export's vectors differ from the model's by "
                f"{difference:.2g}; using sentence-transformers instead"
            )

    def _ready(self) -> None:
        if self._session is not None:
            return
        if not self.cached:
            self.build()
        try:
            import onnxruntime  # type: ignore[import-untyped, import-not-found, unused-ignore]
            from tokenizers import Tokenizer  # type: ignore[import-untyped, import-not-found, unused-ignore]

            options = onnxruntime.SessionOptions()
            options.log_severity_level = 3
            self._session = onnxruntime.InferenceSession(
                str(self.export_folder / _MODEL_FILE),
                options,
                providers=["CPUExecutionProvider"],
            )
            count_start("onnx")
            tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
            tokenizer.enable_truncation(self.max_length)
            tokenizer.no_padding()
            self._tokenizer = tokenizer
        except ImportError as error:
            raise ModelUnavailable(f"onnxruntime could not be imported ({error})") from error
        except Exception as error:  # a damaged export: drop it, build it again next time
            shutil.rmtree(self.export_folder, ignore_errors=True)
            raise ModelUnavailable(
                f"{self.export_folder}: the ONNX export could not be opened ({error}); it was "
                "removed and is built again on the next run"
            ) from error

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32 vectors of length 1, in the order of `texts`; from
        sentence-transformers when the export cannot be built or opened."""
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        if not texts:
            return out
        with self._lock:
            if self._fallback is None:
                try:
                    self._ready()
                except ModelUnavailable:
                    self._fallback = load_transformer_folder(self.folder, self._name)
            if self._fallback is not None:
                return np.asarray(self._fallback.encode(list(texts)), dtype=np.float32)
            encoded = self._tokenizer.encode_batch(list(texts))
            lengths = [len(e.ids) for e in encoded]
            order = sorted(range(len(texts)), key=lambda i: -lengths[i])
            for batch in batches([lengths[i] for i in order], self.token_budget, 512):
                rows = [order[j] for j in batch]
                width = lengths[rows[0]]
                ids = np.zeros((len(rows), width), dtype=np.int64)
                mask = np.zeros((len(rows), width), dtype=np.int64)
                for r, i in enumerate(rows):
                    ids[r, : lengths[i]] = encoded[i].ids
                    mask[r, : lengths[i]] = 1
                out[rows] = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return normalize(out)


def load_transformer_folder(folder: Path, name: str) -> Embedder:
    """The sentence-transformers embedder of a folder (the reference the export is
    checked against)."""
    from kg.embed.models import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(folder, name=name)


def fast_transformer(config: Config | None = None, strict: bool = True) -> Embedder | None:
    """The configured model as `OnnxEmbedder` where onnxruntime is installed and the model
    can be exported, else as the sentence-transformers embedder.

    Parameters
    ----------
    config : Config, optional
        The corpus's configuration (its `model`).
    strict : bool
        Raise `ModelUnavailable` when the model is missing (else return None).

    Returns
    -------
    Embedder or None
        Nothing is loaded or built yet.
    """
    model = config.model if config is not None else DEFAULT_MODEL
    try:
        folder = find_model_folder(model)
    except ModelUnavailable:
        if strict:
            raise
        return None
    if onnx_available() and exportable(folder):
        embedder = OnnxEmbedder(folder, name=model)
        if embedder.cached or _can_export():
            return embedder
    return load_transformer(config)


def _can_export() -> bool:
    return all(importlib.util.find_spec(p) is not None for p in ("torch", "transformers"))


def _max_length(folder: Path) -> int:
    try:
        config = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(config.get("max_seq_length") or 512)
    except (OSError, ValueError, TypeError):
        return 512


def _hidden_size(folder: Path) -> int:
    try:
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        return int(config["hidden_size"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ModelUnavailable(f"{folder}: no hidden_size in config.json ({error})") from error


def _export(folder: Path, target: Path, max_length: int) -> None:
    """Write the model's network with mean pooling as ONNX (needs torch and transformers)."""
    import os
    import warnings

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import torch  # type: ignore[import-not-found, unused-ignore]
            from transformers import AutoModel  # type: ignore[import-not-found, unused-ignore]
            from transformers.utils import logging as hf_logging  # type: ignore[import-not-found, unused-ignore]

            hf_logging.set_verbosity_error()
            hf_logging.disable_progress_bar()

            network = AutoModel.from_pretrained(str(folder))
            network.eval()

            class MeanPooled(torch.nn.Module):
                def __init__(self, inner: Any) -> None:
                    super().__init__()
                    self.inner = inner

                def forward(self, input_ids: Any, attention_mask: Any) -> Any:
                    hidden = self.inner(
                        input_ids=input_ids,
                        attention_mask=attention_mask,
                        token_type_ids=torch.zeros_like(input_ids),
                    ).last_hidden_state
                    weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
                    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)

            example = torch.ones((2, min(8, max_length)), dtype=torch.long)
            axes = {
                "input_ids": {0: "rows", 1: "tokens"},
                "attention_mask": {0: "rows", 1: "tokens"},
            }
            stderr = sys.stderr
            try:
                with open(
                    os.devnull, "w"
                ) as quiet:  # the exporter's warnings say nothing to a user
                    sys.stderr = quiet
                    torch.onnx.export(
                        MeanPooled(network),
                        (example, example),
                        str(target),
                        input_names=["input_ids", "attention_mask"],
                        output_names=["pooled"],
                        dynamic_axes={**axes, "pooled": {0: "rows"}},
                        opset_version=17,
                        dynamo=False,
                    )
            finally:
                sys.stderr = stderr
    except ImportError as error:
        raise ModelUnavailable(
            f"the model cannot be exported for ONNX Runtime ({error}); using sentence-transformers"
        ) from error
    except Exception as error:
        raise ModelUnavailable(
            f"{folder}: the ONNX export failed ({error}); using sentence-transformers"
        ) from error
