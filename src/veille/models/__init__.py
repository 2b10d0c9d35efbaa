"""Shipped default models (package data: numbers and JSON only, never pickle)."""
