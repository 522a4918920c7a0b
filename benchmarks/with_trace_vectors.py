"""Run a trace-quality benchmark with the vectors a trace ranks with fixed: the
transformer's (what a trace reads where the index keeps them) or the stored static ones
(what a trace ranks with where it does not, `kg.query.kept`). The ranking is the same
fused one either way.

    PYTHONPATH=$PWD HF_HUB_OFFLINE=1 python benchmarks/with_trace_vectors.py static \\
        benchmarks/bench_trace.py --corpus notes --corpus ../shared/seeds
"""

from __future__ import annotations

import runpy
import sys
from typing import Any


def main() -> None:
    if len(sys.argv) < 3 or sys.argv[1] not in ("transformer", "static"):
        raise SystemExit(__doc__)
    vectors, script = sys.argv[1], sys.argv[2]
    sys.argv = sys.argv[2:]
    import kg.query.fusion as fusion
    import kg.query.trace as trace_module

    chosen = fusion.default_scorer

    def static_scorer(graph: Any) -> Any:
        if graph.embeddings is None:
            raise SystemExit("no static vectors stored: load with embed=True")
        return fusion.FusedScorer(graph.embeddings)

    if vectors == "static":
        chosen = static_scorer
    fusion.default_scorer = chosen  # type: ignore[assignment]
    trace_module.default_scorer = chosen  # type: ignore[assignment]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
