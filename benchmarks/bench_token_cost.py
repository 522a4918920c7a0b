"""What keeping the MiniLM token vectors of every candidate text would cost kg at index
time (benchmarks/evidence_tokens.py measures what they are worth): the texts a trace
reads of each note (title, description, one-line claim, body sentences), their word
pieces as the model reads them (at most 254 a text), the bytes at D dimensions in int8
with one float32 scale per token, and the model's tokens per second on this machine.

    HF_HUB_OFFLINE=1 python benchmarks/bench_token_cost.py notes /tmp/gen1000 --time 400

>>> stored_bytes(1000, 64)
68000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import kg
from kg.sentences import split_sentences

DIMS = (64, 128, 384)


def stored_bytes(tokens: int, dims: int, scale_bytes: int = 4) -> int:
    """Bytes for `tokens` token vectors of `dims` int8 coordinates and one scale each."""
    return tokens * (dims + scale_bytes)


def trace_texts(graph: kg.KnowledgeGraph) -> list[str]:
    """Every note's texts a trace reads of it as a candidate."""
    out = []
    for note in graph.notes(stubs=False):
        texts = [note.title, note.description, note.claim]
        texts += [s for p in note.body for _, _, s in split_sentences(p.text)]
        out += [t for t in texts if t and t.strip()]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("corpora", type=Path, nargs="+")
    parser.add_argument("--time", type=int, default=0, help="encode this many texts, timed")
    args = parser.parse_args()
    from sentence_transformers import SentenceTransformer

    from kg.embed.models import DEFAULT_MODEL, find_model_folder

    model = SentenceTransformer(str(find_model_folder(DEFAULT_MODEL)), device="cpu")
    limit = int(model.max_seq_length or 256) - 2
    print("| corpus | notes | texts | distinct | pieces (every text) | pieces (distinct) |", end="")
    print("".join(f" MB at {d} int8 |" for d in DIMS))
    print("| --- | ---: | ---: | ---: | ---: | ---: |" + " ---: |" * len(DIMS))
    sample: list[str] = []
    for corpus in args.corpora:
        with tempfile.TemporaryDirectory(prefix="kg-tokcost-") as index:
            graph = kg.load(corpus, index=Path(index), save=False, embed="none")
            texts = trace_texts(graph)
            notes = len(graph.notes(stubs=False))
        distinct = list(dict.fromkeys(texts))
        counts = dict(
            zip(
                distinct,
                (
                    min(len(ids), limit)
                    for ids in model.tokenizer(distinct, add_special_tokens=False)["input_ids"]
                ),
                strict=True,
            )
        )
        every = sum(counts[t] for t in texts)
        once = sum(counts.values())
        cells = "".join(f" {stored_bytes(once, d) / 1e6:.1f} |" for d in DIMS)
        print(f"| {corpus} | {notes} | {len(texts)} | {len(distinct)} | {every} | {once} |{cells}")
        sample += distinct[: args.time]
    if args.time:
        import torch

        sample = sample[: args.time]
        pieces = sum(
            min(len(ids), limit)
            for ids in model.tokenizer(sample, add_special_tokens=False)["input_ids"]
        )
        model.encode(sample[:32], output_value="token_embeddings", show_progress_bar=False)
        started = time.perf_counter()
        model.encode(
            sample, output_value="token_embeddings", batch_size=32, show_progress_bar=False
        )
        took = time.perf_counter() - started
        print(
            f"\n{len(sample)} texts, {pieces} pieces in {took:.1f} s "
            f"({torch.get_num_threads()} threads): {pieces / took:.0f} pieces a second"
        )


if __name__ == "__main__":
    main()
