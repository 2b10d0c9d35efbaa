"""Sources: everything that turns a platform's items into canonical posts at the hub's edge.

- ``connectors/`` — the platform connectors and the machinery they share (its docstring is the
  guide to writing one; its ``__all__`` the API);
- ``manager.py`` — the running sources of a hub (``[[sources]]`` tables and the API), their health
  and alerts;
- ``saved.py`` — the sources added through the API, kept in the store;
- ``push.py`` — the body of the push ingest API, read and validated;
- ``replay.py`` — a JSONL file of posts as a source (``veille ingest``).
"""
