"""A small Server-Sent Events reader over httpx, for tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["SseEvent", "read_events"]


@dataclass
class SseEvent:
    event: str
    id: str | None
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


def read_events(response: httpx.Response) -> Iterator[SseEvent]:
    event, event_id, data = "message", None, []
    for line in response.iter_lines():
        if line == "":
            if data:
                yield SseEvent(event, event_id, "\n".join(data))
            event, event_id, data = "message", None, []
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                event = value
            elif name == "id":
                event_id = value
            elif name == "data":
                data.append(value)
