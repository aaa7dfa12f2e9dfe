"""ISRU and ISRLU for actviz; the hooks live in :mod:`actviz_isru.plugin`."""

__version__ = "0.1.0"
