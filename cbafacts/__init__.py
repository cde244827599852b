"""cbafacts: numeric claims from multilingual news, linked to metrics and
periods, cross-validated across articles and languages.

>>> import cbafacts
>>> result = cbafacts.Extractor().extract(text, id="a1")
>>> report = cbafacts.cross_validate([result])
"""
from .about import __version__
from .crossval import CrossValReport, cross_validate
from .extract import Extractor
from .model import ArticleError, ArticleResult, Claim, InputArticle, Mention

__all__ = [
    "__version__", "Extractor", "cross_validate", "CrossValReport",
    "ArticleResult", "ArticleError", "Claim", "Mention", "InputArticle",
]
