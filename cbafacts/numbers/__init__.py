"""Locale-aware number reading: ``parse(text, lang) -> list[Mention]``."""
from ..model import Mention
from .parse import parse
from .spec import LocaleNumberSpec, get_spec

__all__ = ["parse", "Mention", "LocaleNumberSpec", "get_spec"]
