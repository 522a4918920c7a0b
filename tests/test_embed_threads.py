"""The sentence-transformers embedder is used from several threads (the browser traces and
searches in workers): one thread at a time may touch its tokenizer, which otherwise fails
with "RuntimeError: Already borrowed" (seen in `kg browse`, tracing one statement while
the trace of the previous one was still embedding)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from kg.embed.models import SentenceTransformerEmbedder


class OneAtATimeTokenizer:
    """Behaves as a Hugging Face fast tokenizer does: fails when two threads use it."""

    def __init__(self) -> None:
        self.busy = threading.Lock()
        self.calls = 0

    def __call__(self, texts, **options):
        if not self.busy.acquire(blocking=False):
            raise RuntimeError("Already borrowed")
        try:
            time.sleep(0.05)
            self.calls += 1
            return {"input_ids": [[0] * len(t.split()) for t in texts]}
        finally:
            self.busy.release()


class Model:
    max_seq_length = 128

    def __init__(self) -> None:
        self.tokenizer = OneAtATimeTokenizer()


def test_two_threads_never_use_the_tokenizer_at_once(tmp_path: Path):
    embedder = SentenceTransformerEmbedder(tmp_path)
    model = Model()
    embedder._model = model  # as if loaded: no model files are needed for this
    errors: list[BaseException] = []
    results: list[list[int]] = []

    def measure() -> None:
        try:
            results.append(embedder.token_lengths(["one two three", "four"]))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=measure) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == [[3, 1]] * 6 and model.tokenizer.calls == 6
