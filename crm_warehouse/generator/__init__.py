"""Deterministic generator of the operational CRM source tables (see ``generate``)."""

from .generate import DEFAULT_CUSTOMERS, DEFAULT_SEED, generate

__all__ = ["DEFAULT_CUSTOMERS", "DEFAULT_SEED", "generate"]
