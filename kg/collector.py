"""Python's cyclic garbage collector kept out of kg's bulk work.

Reading a corpus, building its graph, saving its index and making a networkx graph or an
export allocate millions of small objects, none of them in cycles that need collecting.
The collector's passes over them cost a sixth of a build's time and triple an export's;
reference counting frees everything as usual while it is held off.

>>> import gc
>>> with collector_paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused", "to_old_generation"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Hold off the cyclic collector for the block, then leave it as it was."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def to_old_generation() -> None:
    """Put every object the cyclic collector tracks in its oldest generation at once,
    without a collection (`gc.freeze`, then `gc.unfreeze`): a new graph's 200,000 key
    dicts all live on, and the young collection that turning the collector on again
    starts would walk all of them for nothing (0.08 s at 10,000 pages). Nothing is done
    when some objects are frozen already (a caller's `gc.freeze` is kept as it is).

    >>> frozen = gc.get_freeze_count()
    >>> to_old_generation(); gc.get_freeze_count() == frozen
    True
    """
    if not gc.get_freeze_count():
        gc.freeze()
        gc.unfreeze()
