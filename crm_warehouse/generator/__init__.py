"""Deterministic generator of the operational CRM source tables (see ``generate``) and of their ground truth
(``truth``: never a source)."""

from .generate import DEFAULT_CUSTOMERS, DEFAULT_SEED, generate

__all__ = ["DEFAULT_CUSTOMERS", "DEFAULT_SEED", "generate"]
