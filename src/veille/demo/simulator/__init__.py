"""The scenario simulator: realistic multilingual posts about a configurable (fictional) company.

Public surface:

- :class:`SimulatorSource` — a live :class:`~veille.contracts.Source` for the demo;
- :func:`generate_history` — a whole scenario over a past range, fast (backfills, benchmark files);
- :func:`scenario_names`, :func:`scenario_descriptions` — the scripted scenarios;
- :class:`RisingQuestions` — questions rising on a sub-topic our accounts never cover (the
  editorial radar's demo case);
- :class:`CompanyProfile`, :func:`default_profile`, :func:`load_profile`, :func:`vocabulary` — who
  and what the posts are about, as data the demo's topics can be written against (the shipped
  profile, vocabulary and phrase banks are the TOML files of ``veille/demo/data``).
"""

from __future__ import annotations

from veille.demo.simulator.engine import RisingQuestions
from veille.demo.simulator.history import generate_history
from veille.demo.simulator.profile import CompanyProfile, default_profile, load_profile, vocabulary
from veille.demo.simulator.scenarios import SCENARIOS, scenario_names
from veille.demo.simulator.source import SimulatorSource

__all__ = [
    "CompanyProfile",
    "RisingQuestions",
    "SimulatorSource",
    "default_profile",
    "generate_history",
    "load_profile",
    "scenario_descriptions",
    "scenario_names",
    "vocabulary",
]


def scenario_descriptions() -> dict[str, str]:
    """Scenario name -> one-line description."""
    return {name: scenario.description for name, scenario in SCENARIOS.items()}
