"""The demo: a fictional company's hub, fed by the scenario simulator, with data to match.

Nothing in the domains imports this package; it imports them (the layer contract of
``shared/DESIGN.md`` §4 puts ``demo`` below ``hub`` and above ``sources``, ``topics`` and
``accounts``).

- :mod:`veille.demo.simulator` — realistic multilingual posts about the company of a profile;
- :mod:`veille.demo.seed` — the demo admin, topic taxonomy and brand accounts, on one store;
- :mod:`veille.demo.live` — what feeds ``veille demo``: the simulator, or Bluesky's Jetstream;
- ``data/`` — the shipped profile (``profile.toml``), topic taxonomy (``taxonomy.toml``, the
  ``[[topics]]`` format of veille.toml) and phrase banks (``phrases/<lang>.toml``), read with
  :mod:`tomllib` when first needed (:mod:`veille.demo.datafiles`).

The package surface is empty on purpose: importing the simulator must not import the store.
"""
