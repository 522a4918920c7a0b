"""A static embedder distilled locally from the configured sentence-transformers model.

model2vec turns the transformer into a table of one vector per token (it runs every token
of the vocabulary through the model once, then reduces the vectors with PCA and weighs
them by word frequency). A text's vector is then the mean of its tokens' rows: no neural
network at run time, about a hundred times the transformer's rate on a CPU.

Nothing is downloaded: the table is distilled from the model folder the installed package
ships (about 30 s on an idle 2-core machine, once, its progress reported), and kept in the
user's cache folder under a name made of the source model's fingerprint, the model2vec
version and the recipe, so a new model or model2vec means a new table (and new vectors:
the fingerprint is stored with them). The cached table is written to a temporary folder
and renamed into place whole; loading it (`TokenTable.read`) reads a safetensors file, a
tokenizer JSON and a config JSON (no pickle) without importing model2vec.

>>> from pathlib import Path
>>> recipe_key(256)
'pca256'
>>> cache_root({"KG_CACHE_DIR": "/tmp/kgc"})
PosixPath('/tmp/kgc')
>>> cache_root({"XDG_CACHE_HOME": "/tmp/xdg"})
PosixPath('/tmp/xdg/kg')
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import shutil
import tempfile
import time
import warnings
from collections.abc import Mapping
from importlib import metadata
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
from filelock import Timeout

from kg.embed.models import expected_seconds, fingerprint, normalize
from kg.embed.state import Progress
from kg.errors import ModelUnavailable

PCA_DIMS = 256  # dimensions kept by the distillation's PCA
STATIC_PREFIX = "static:"
DISTIL_SECONDS = 30  # measured on the project's idle 2-core machine; said before distilling
log = logging.getLogger(__name__)
_FILES = ("model.safetensors", "tokenizer.json", "config.json")


def cache_root(environ: Mapping[str, str] | None = None) -> Path:
    """Where kg keeps what it builds once per machine: $KG_CACHE_DIR, else
    $XDG_CACHE_HOME/kg, else ~/.cache/kg."""
    env = os.environ if environ is None else environ
    if env.get("KG_CACHE_DIR"):
        return Path(env["KG_CACHE_DIR"]).expanduser()
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "kg"


def recipe_key(pca_dims: int | None) -> str:
    """The distillation settings as part of a cache folder's name."""
    return f"pca{pca_dims}" if pca_dims else "nopca"


def model2vec_version() -> str:
    """The installed model2vec's version (without importing it), or raise `ModelUnavailable`."""
    try:
        return metadata.version("model2vec")
    except metadata.PackageNotFoundError as error:
        raise ModelUnavailable(
            "model2vec is not installed, so the static embedder cannot be built; "
            "pip install 'model2vec[distill]', or set `embedder: transformer` in kg.yaml"
        ) from error


class StaticEmbedder:
    """Token-table vectors distilled from a sentence-transformers model folder.

    Parameters
    ----------
    source : pathlib.Path
        The sentence-transformers model folder to distil from.
    name : str
        The name recorded with the vectors (``static:`` and the configured model).
    pca_dims : int or None
        Dimensions kept (None keeps the model's).
    cache : pathlib.Path, optional
        The cache root (`cache_root()` by default).
    progress : callable, optional
        Called as ``progress("distil", 0, 1)`` before distilling and ``("distil", 1, 1)``
        after, so a client can say what the pause is.
    """

    def __init__(
        self,
        source: str | Path,
        name: str | None = None,
        pca_dims: int | None = PCA_DIMS,
        cache: Path | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.source = Path(source)
        self._name = name or f"{STATIC_PREFIX}{self.source}"
        self.pca_dims = pca_dims
        self.progress = progress
        self.fingerprint = (
            f"{fingerprint(self.source)}-m2v{model2vec_version()}-{recipe_key(pca_dims)}"
        )
        self.folder = (cache or cache_root()) / "static" / self.fingerprint
        self._model: Any = None
        self.distilled = False  # whether this object distilled the table (not the cache)

    def __repr__(self) -> str:
        return f"StaticEmbedder({self._name!r}, folder={str(self.folder)!r})"

    @property
    def name(self) -> str:
        return self._name

    @property
    def cached(self) -> bool:
        """Whether the distilled table is already in the cache (no distillation to wait for)."""
        return all((self.folder / f).is_file() for f in _FILES)

    @property
    def model(self) -> TokenTable:
        """The token table, distilled first if the cache has none."""
        if self._model is None:
            if not self.cached:
                self.distil()
            self._model = TokenTable.read(self.folder)
        return self._model

    @property
    def dim(self) -> int:
        return self.model.dim

    def distil(self) -> None:
        """Distil the table from the source model into the cache, under a lock: a second
        process waits (saying so, through logging and ``progress("wait", ...)``), then
        uses the table the first one made."""
        from filelock import FileLock

        from kg.io import wait_for_lock

        self.folder.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.folder) + ".lock")
        what = f"another kg process to finish distilling the static model into {self.folder}"
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if self.progress:
                self.progress("wait", 0, 1)
            wait_for_lock(lock, None, what)
            if self.progress:
                self.progress("wait", 1, 1)
        try:
            if self.cached:
                return
            log.info(
                "distilling the static model from %s into %s, once per machine: about %.0f s "
                "now (%d s on an idle 2-core machine)",
                self.source,
                self.folder,
                expected_seconds(DISTIL_SECONDS),
                DISTIL_SECONDS,
            )
            started = time.monotonic()
            if self.progress:
                self.progress("distil", 0, 1)
            _distil_into(self.source, self.folder, self.pca_dims, self.progress)
            self.distilled = True
            log.info("distilled the static model in %.0f s", time.monotonic() - started)
            if self.progress:
                self.progress("distil", 1, 1)
        finally:
            lock.release()

    def knows(self, word: str) -> bool:
        """Whether the model's vocabulary holds `word` whole (lower-case), not only as
        word pieces: a word it has a vector of its own for."""
        return self.model.knows(word)

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32 vectors of length 1 (zero rows for texts with no
        known token), in the order of `texts`."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.model.encode(list(texts))


class TokenTable:
    """A distilled model as kg reads it back: the tokenizer and one row per token.

    model2vec's own loader is not used: importing it costs about half a second (it brings
    the Hugging Face hub client), which one changed sentence would pay. A text's vector
    is what model2vec computes: its token ids (no special tokens, at most `max_length`,
    the unknown token dropped), the mean of their rows, scaled to length 1; the mean is
    taken in float32 (model2vec takes it in the table's float16).
    """

    def __init__(self, tokenizer: Any, table: np.ndarray, max_length: int | None) -> None:
        self.tokenizer = tokenizer
        self.table = table
        if max_length:
            tokenizer.enable_truncation(max_length)
        unk = getattr(tokenizer.model, "unk_token", None)
        self.unknown = tokenizer.token_to_id(unk) if unk else None

    @classmethod
    def read(cls, folder: Path) -> TokenTable:
        """Read a table saved by model2vec: safetensors, a tokenizer JSON, a config JSON.

        A damaged folder is removed (the next run distils it again) and reported as
        `ModelUnavailable`.
        """
        try:
            from safetensors.numpy import load_file  # type: ignore[import-not-found, unused-ignore]
            from tokenizers import Tokenizer  # type: ignore[import-untyped, import-not-found, unused-ignore]

            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            table = load_file(str(folder / "model.safetensors"))["embeddings"]
            if table.ndim != 2 or not np.isfinite(table).all():
                raise ValueError("the token table is not a finite matrix")
            tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            return cls(tokenizer, np.asarray(table, dtype=np.float32), config.get("max_length"))
        except ImportError as error:
            raise ModelUnavailable(
                f"the static model cannot be read ({error}); pip install 'model2vec[distill]'"
            ) from error
        except Exception as error:  # a damaged cache entry: drop it, distil again next time
            shutil.rmtree(folder, ignore_errors=True)
            raise ModelUnavailable(
                f"{folder}: the cached static model could not be read ({error}); it was "
                "removed and is distilled again on the next run"
            ) from error

    @property
    def dim(self) -> int:
        return int(self.table.shape[1])

    def knows(self, word: str) -> bool:
        """Whether `word` is one token of the vocabulary (not the unknown one)."""
        found = self.tokenizer.token_to_id(word)
        return found is not None and found != self.unknown

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dim) float32 rows of length 1 (zero for a text without tokens)."""
        encodings = self.tokenizer.encode_batch_fast(texts, add_special_tokens=False)
        ids = [e.ids for e in encodings]
        if self.unknown is not None:
            ids = [[t for t in row if t != self.unknown] for row in ids]
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter(chain.from_iterable(ids), dtype=np.int64, count=int(lengths.sum()))
        out = np.zeros((len(ids), self.dim), dtype=np.float32)
        filled = lengths > 0
        if filled.any():
            starts = (np.cumsum(lengths) - lengths)[filled]
            out[filled] = np.add.reduceat(self.table[flat], starts, axis=0)
        return normalize(out)


class _TokenCount(io.TextIOBase):
    """Where the distillation's progress bar (tqdm, on stderr) is written: each redraw's
    "Encoding tokens: ... done/total" becomes ``progress("distil", done, total)``, so the
    longest step of a distillation reports how far it is; anything else is dropped."""

    _BAR = re.compile(r"Encoding tokens.*?(\d+)/(\d+) \[")

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.last = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.progress is not None:
            for found in self._BAR.finditer(text):
                done, total = int(found.group(1)), int(found.group(2))
                if 0 < done < total and done != self.last:  # the ends are reported apart
                    self.last = done
                    self.progress("distil", done, total)
        return len(text)


def _distil_into(
    source: Path, folder: Path, pca_dims: int | None, progress: Progress | None = None
) -> None:
    """Distil `source` and save it as `folder`, whole or not at all."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    started = time.monotonic()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(_TokenCount(progress)):
            warnings.simplefilter("ignore")
            try:
                from transformers.utils import logging as hf_logging  # type: ignore[import-not-found, unused-ignore]

                hf_logging.set_verbosity_error()
                hf_logging.disable_progress_bar()
            except ImportError:  # reported below by the distill import
                pass
            from model2vec.distill import distill  # type: ignore[import-not-found, unused-ignore]

            model = distill(str(source), pca_dims=pca_dims, device="cpu")
    except ImportError as error:
        raise ModelUnavailable(
            f"model2vec's distillation could not be imported ({error}); "
            "pip install 'model2vec[distill]', or set `embedder: transformer` in kg.yaml"
        ) from error
    except Exception as error:
        raise ModelUnavailable(
            f"{source}: the static model could not be distilled ({error}); "
            "set `embedder: transformer` in kg.yaml to use the model itself"
        ) from error
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            model.save_pretrained(tmp)
        stamp = {
            "source": str(source),
            "pca_dims": pca_dims,
            "seconds": round(time.monotonic() - started, 1),
        }
        (tmp / "kg-distilled.json").write_text(json.dumps(stamp), encoding="utf-8")
        for path in tmp.iterdir():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
        if folder.exists():  # left by an interrupted run without our files
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
