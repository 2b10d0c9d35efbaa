"""A connector's configuration schema: typed fields, secrets, environment variables.

One declaration (a :class:`ConnectorMeta` and its :class:`ConfigField` list) is the validation, the
docs (``describe()``, the field tables of ``docs/connectors*.md``), the Sources page's form and the
secrecy rules (the Apprise way, typed). A table is validated by :meth:`ConnectorConfig.from_dict`;
every error names the source and the field. A secret is a :class:`Secret`: printed ``'***'``
everywhere (repr, str, ``dumps()``, the API), revealed only by ``reveal()``.

Secrets may come from the environment, but only for a source the operator declared in
``veille.toml`` (the caller passes ``environ``): an explicit ``"${VAR}"`` value in a *secret* field,
else ``VEILLE_SOURCE_<NAME>_<FIELD>``, else the field's own ``env`` variable. A source added through
the API is built without ``environ``: it never receives the hub's credentials (they would go to an
endpoint of the user's choice) and a ``"${VAR}"`` value is refused with the same message whether
the variable exists or not, so the server's environment cannot be read nor probed through the API.

Nothing here is specific to a platform: alert channels are meant to declare their settings with
the same classes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from veille.security import mask_url
from veille.sources.connectors.errors import ConnectorConfigError

__all__ = ["ConfigField", "ConnectorConfig", "ConnectorMeta", "Secret"]

_REQUIRED: Final = object()
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_ENV_REF_RE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$")


class Secret:
    """A credential: printed as ``'***'``; ``reveal()`` returns the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


_FIELD_TYPES: Final = {"str", "int", "float", "bool", "list[str]", "dict[str,str]"}


@dataclass(frozen=True, slots=True)
class ConfigField:
    """One typed config field of a connector (drives validation, docs and UI forms).

    ``kind`` is one of ``str``, ``int``, ``float``, ``bool``, ``list[str]``, ``dict[str,str]``; a
    Python type (``str``...) is accepted too. A field without ``default`` is required. ``choices``
    limits the values; ``env`` names the environment variable read when the value is absent.
    """

    name: str
    kind: Any = "str"
    default: Any = _REQUIRED
    secret: bool = False
    env: str | None = None
    help: str = ""
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None  # for numbers: the smallest value accepted

    def __post_init__(self) -> None:
        raw = self.kind
        # ``str`` -> "str"; ``list[str]`` (a generic alias, not a type) -> "list[str]".
        kind = raw if isinstance(raw, str) else raw.__name__ if isinstance(raw, type) else str(raw)
        kind = kind.replace(" ", "")
        if kind not in _FIELD_TYPES:
            raise TypeError(f"config field {self.name}: unsupported kind {kind!r}")
        object.__setattr__(self, "kind", kind)

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def describe(self) -> dict[str, Any]:
        """JSON-able description (docs, UI forms, ``GET /api/sources/types``)."""
        return {
            "name": self.name,
            "type": self.kind,
            "required": self.required,
            "default": None if self.required else self.default,
            "secret": self.secret,
            "env": self.env,
            "choices": list(self.choices) if self.choices else None,
            "minimum": self.minimum,
            "help": self.help,
        }

    def convert(self, value: Any) -> Any:
        """The typed value, or ``ValueError`` saying what is expected."""
        if value is None:
            if self.required:
                raise ValueError("required")
            return None
        kind = self.kind
        converted: Any
        if kind == "str":
            if not isinstance(value, str | Secret):
                raise ValueError(f"expected a string, got {type(value).__name__}")
            text = value.reveal() if isinstance(value, Secret) else value
            converted = Secret(text) if self.secret else text
        elif kind == "bool":
            if isinstance(value, bool):
                converted = value
            elif isinstance(value, str) and value.strip().lower() in {"true", "1", "yes", "on"}:
                converted = True
            elif isinstance(value, str) and value.strip().lower() in {"false", "0", "no", "off"}:
                converted = False
            else:
                raise ValueError(f"expected true or false, got {value!r}")
        elif kind in {"int", "float"}:
            if isinstance(value, bool):
                raise ValueError(f"expected a number, got {value!r}")
            try:
                number = float(value) if kind == "float" else int(value)
            except (TypeError, ValueError):
                raise ValueError(
                    f"expected {'a number' if kind == 'float' else 'an integer'}, got {value!r}"
                ) from None
            if kind == "float" and not math.isfinite(number):
                raise ValueError("expected a finite number")
            if self.minimum is not None and number < self.minimum:
                raise ValueError(f"must be at least {self.minimum:g}, got {number:g}")
            converted = number
        elif kind == "list[str]":
            if isinstance(value, str):
                value = [part.strip() for part in value.split(",") if part.strip()]
            if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
                raise ValueError("expected a list of strings")
            converted = list(value)
        else:  # dict[str,str]
            if not isinstance(value, Mapping) or not all(
                isinstance(key, str) and isinstance(item, str) for key, item in value.items()
            ):
                raise ValueError("expected a table of strings")
            converted = dict(value)
        if self.choices is not None and converted not in self.choices:
            raise ValueError(f"must be one of {', '.join(map(str, self.choices))}")
        return converted


@dataclass(frozen=True, slots=True)
class ConnectorMeta:
    """What a connector declares about itself."""

    type: str
    title: str
    fields: tuple[ConfigField, ...] = ()
    default_endpoint: str | None = None
    description: str = ""
    # Canonical fields this platform never provides (documentation; per-post gaps go in extra).
    never_filled: tuple[str, ...] = ()
    # A valid ``[[sources]]`` table (docs, UI placeholder, the contract test builds it).
    example: Mapping[str, Any] | None = None

    def field(self, name: str) -> ConfigField:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def describe(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "title": self.title,
            "description": self.description,
            "default_endpoint": self.default_endpoint,
            "never_filled": list(self.never_filled),
            "example": dict(self.example) if self.example else None,
            "fields": [item.describe() for item in self.fields],
        }


_COMMON_KEYS: Final = ("type", "name", "endpoint", "query")


class ConnectorConfig:
    """A validated connector configuration; secrets are masked in ``repr``/``str``/``dumps``."""

    __slots__ = ("_values", "endpoint", "meta", "name", "query", "type")

    def __init__(
        self,
        *,
        meta: ConnectorMeta,
        name: str,
        values: Mapping[str, Any],
        endpoint: str | None = None,
        query: str | None = None,
    ) -> None:
        self.meta = meta
        self.type = meta.type
        self.name = name
        self.endpoint = endpoint
        self.query = query
        self._values = dict(values)

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], meta: ConnectorMeta, *, environ: Mapping[str, str] | None = None
    ) -> ConnectorConfig:
        """Validate one ``[[sources]]`` table; errors name the source and the field.

        ``environ``: the environment the operator's credentials come from, for a table of
        ``veille.toml`` only. ``None`` (a table from the API): no variable is read and ``${VAR}``
        values are refused.
        """
        name = data.get("name")
        label = f"source {name!r}" if name else f"source of type {meta.type!r}"
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise ConnectorConfigError(
                f"{label}: name: required, lower-case letters, digits, '.', '_' or '-' (got {name!r})",
                field="name",
            )
        known = {item.name for item in meta.fields}
        unknown = sorted(key for key in data if key not in known and key not in _COMMON_KEYS)
        if unknown:
            raise ConnectorConfigError(
                f"{label}: unknown field(s) {', '.join(unknown)} for type {meta.type!r} "
                f"(known: {', '.join(sorted(known | set(_COMMON_KEYS)))})",
                field=unknown[0],
            )
        if environ is None:
            _refuse_env_references(data, label)
        values: dict[str, Any] = {}
        for spec in meta.fields:
            raw = data.get(spec.name)
            raw = _resolve_env(raw, spec, name, environ or {}, label)
            if raw is None and not spec.required:
                values[spec.name] = spec.default
                continue
            try:
                values[spec.name] = spec.convert(raw)
            except ValueError as error:
                hint = ""
                if raw is None and environ is not None:
                    sources = [f"the {spec.name!r} field"]
                    if spec.env:
                        sources.append(f"${spec.env}")
                    sources.append(f"${_env_name(name, spec.name)}")
                    hint = f" (set {' or '.join(sources)})"
                raise ConnectorConfigError(f"{label}: {spec.name}: {error}{hint}", field=spec.name) from None
        endpoint = data.get("endpoint", meta.default_endpoint)
        if endpoint is not None and (
            not isinstance(endpoint, str)
            or not endpoint.startswith(("http://", "https://", "ws://", "wss://"))
        ):
            raise ConnectorConfigError(
                f"{label}: endpoint: expected an http(s):// or ws(s):// URL", field="endpoint"
            )
        query = data.get("query")
        if query is not None and not isinstance(query, str):
            raise ConnectorConfigError(
                f"{label}: query: expected a string in the query language", field="query"
            )
        return cls(
            meta=meta,
            name=name,
            values=values,
            endpoint=endpoint.rstrip("/") if endpoint else None,
            query=query or None,
        )

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)

    def secret(self, key: str) -> str | None:
        """The revealed value of a secret field (``None`` when unset)."""
        value = self._values.get(key)
        return value.reveal() if isinstance(value, Secret) else value

    def to_dict(self, *, reveal: bool = False) -> dict[str, Any]:
        """The table form; secrets are ``'***'`` unless ``reveal=True``."""
        out: dict[str, Any] = {"type": self.type, "name": self.name}
        if self.endpoint:
            out["endpoint"] = self.endpoint if reveal else mask_url(self.endpoint)
        if self.query:
            out["query"] = self.query
        for key, value in self._values.items():
            if isinstance(value, Secret):
                out[key] = value.reveal() if reveal else ("***" if value else "")
            elif reveal:
                out[key] = value
            else:  # a credential written inside an address (a feed URL with ?token=) is masked too
                out[key] = _masked(value)
        return out

    def dumps(self) -> str:
        """JSON with secrets masked (for logs, the API and the UI)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    def __repr__(self) -> str:
        return f"ConnectorConfig({self.to_dict()!r})"

    __str__ = __repr__


def _masked(value: Any) -> Any:
    if isinstance(value, str) and "://" in value:
        return mask_url(value)
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def _env_name(source_name: str, field_name: str) -> str:
    return f"VEILLE_SOURCE_{re.sub(r'[^A-Za-z0-9]', '_', source_name).upper()}_{field_name.upper()}"


def _has_env_reference(value: Any) -> bool:
    if isinstance(value, str):
        return "${" in value
    if isinstance(value, list | tuple):
        return any(_has_env_reference(item) for item in value)
    if isinstance(value, Mapping):
        return any(_has_env_reference(item) for item in value.values())
    return False


def _refuse_env_references(data: Mapping[str, Any], label: str) -> None:
    """A table from the API may not name environment variables, in any field.

    The message is the same whether the variable exists or not: nothing about the server's
    environment can be learnt from it.
    """
    for key, value in data.items():
        if _has_env_reference(value):
            raise ConnectorConfigError(
                f"{label}: {key}: environment references (${{...}}) are only read from the "
                "operator's veille.toml; give the value itself",
                field=str(key),
            )


def _resolve_env(
    raw: Any, spec: ConfigField, source_name: str, environ: Mapping[str, str], label: str
) -> Any:
    if isinstance(raw, str):
        reference = _ENV_REF_RE.match(raw)
        if reference:
            if not spec.secret:
                raise ConnectorConfigError(
                    f"{label}: {spec.name}: only secret fields may name an environment variable",
                    field=spec.name,
                )
            variable = reference.group(1)
            if variable not in environ:
                raise ConnectorConfigError(
                    f"{label}: {spec.name}: environment variable {variable} is not set", field=spec.name
                )
            return environ[variable]
    if raw is not None:
        return raw
    for variable in (_env_name(source_name, spec.name), spec.env):
        if variable and environ.get(variable):
            return environ[variable]
    return None
