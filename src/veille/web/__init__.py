"""The web hub: API, live push and screens."""
