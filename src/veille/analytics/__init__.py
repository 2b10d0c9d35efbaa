"""Analytics over stored posts: every function takes the caller's :class:`~veille.analytics.scope.Scope`.

One module per domain (``care``: customer-care response metrics, …); import them directly.
"""

__all__: list[str] = []
