"""The transformer tagger: a second backend over the same claim model.

A small character-level token-classification model (``transformers`` +
``torch``) marks the parts of numeric claims with BIO tags (``NUM``,
``CHANGE``, ``METRIC``, ``PERIOD``); :mod:`.backend` sends what it finds
through the shared number reader, linker and period resolver.

- :mod:`.labels`     the tag set; spans <-> token labels through offsets
- :mod:`.tokenizer`  the character tokenizer (a saved ``PreTrainedTokenizerFast``)
- :mod:`.tagger`     loading a model directory; windowed, batched inference
- :mod:`.backend`    the ``transformer`` backend (registered in ``BACKENDS``)
- :mod:`.annotate`   training spans from gold facts and the spaCy path's claims
- :mod:`.silver`     silver articles (synthetic, seeded) labelled by the spaCy path
- :mod:`.train`      ``cbafacts train``: the recipe of ``models/cbafacts-tagger-small``

Importing this package does not import torch; loading a model does.
"""
from .labels import LABELS, TYPES

__all__ = ["LABELS", "TYPES"]
