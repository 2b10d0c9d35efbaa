"""Veille: an open-source social hub for communication teams."""

__version__ = "0.1.0"
