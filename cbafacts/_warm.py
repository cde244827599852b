"""The batch workers' warm-up, run in their fork server.

The fork server imports this module (a ``multiprocessing`` preload) before
it forks any worker. When the parent has put a warm-up order in
:data:`ENV` of the server's environment, the server builds the extractor
of those settings and the pipelines of the languages named, then creates
the order's ``ready`` file: every worker forked from it starts with those
pipelines built, where each would otherwise build every pipeline it meets
(seconds for some languages: spaCy's French tokenizer compiles one large
pattern on import, its Indonesian one adds 16,000 special cases). The
parent detects languages on the other core meanwhile
(:func:`cbafacts.batch.run_local`).

A failed warm-up only costs time: the ``ready`` file is created anyway and
the workers build what they need.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

#: environment variable holding the order: ``{"settings": {...}, "langs":
#: [...], "ready": PATH}`` as JSON
ENV = "CBAFACTS_WARM"


def warm_from_env() -> bool:
    """Carry out the order in :data:`ENV`, if any (and remove it from the
    environment, so the workers do not see it).

    RETURNS (bool): True when pipelines were built.
    """
    spec = os.environ.pop(ENV, None)
    if not spec:
        return False
    ready = None
    try:
        order = json.loads(spec)
        ready = order.get("ready")
        from .batch import get_extractor

        get_extractor(order["settings"]).warm_up(order["langs"])
        return True
    except Exception:  # noqa: BLE001 - the workers build what they need
        return False
    finally:
        if ready:
            try:
                Path(ready).touch()
            except OSError:
                pass


warm_from_env()
