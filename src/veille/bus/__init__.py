"""The live bus: what the pipeline publishes once stored, and what screens and alerts listen to."""

from veille.bus.base import Bus, BusEvent, Subscription
from veille.bus.memory import MemoryBus

__all__ = ["Bus", "BusEvent", "MemoryBus", "Subscription"]
