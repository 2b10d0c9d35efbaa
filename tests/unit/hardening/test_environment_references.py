"""Fault 1 of issue 18 on the config layer: ``${VAR}`` only for secret fields of the operator's
tables; a table without an environment (from the API) refuses references and reads no variable."""

from __future__ import annotations

import pytest

from veille.sources.connectors import ConfigField, ConnectorConfig, ConnectorConfigError, ConnectorMeta

META = ConnectorMeta(
    type="demo",
    title="Demo",
    fields=(
        ConfigField("token", str, secret=True, env="DEMO_TOKEN"),
        ConfigField("user_agent", str, default="demo"),
        ConfigField("tags", "list[str]", default=[]),
    ),
)


def test_operator_table_resolves_references_in_secret_fields_only() -> None:
    environ = {"MY_TOKEN": "t0ken", "ADMIN": "admin-secret"}
    config = ConnectorConfig.from_dict({"name": "d", "token": "${MY_TOKEN}"}, META, environ=environ)
    assert config.secret("token") == "t0ken"
    with pytest.raises(ConnectorConfigError) as caught:
        ConnectorConfig.from_dict(
            {"name": "d", "token": "x", "user_agent": "${ADMIN}"}, META, environ=environ
        )
    assert caught.value.field == "user_agent"
    assert "only secret fields" in str(caught.value) and "admin-secret" not in str(caught.value)


def test_table_without_environment_reads_no_variable() -> None:
    with pytest.raises(ConnectorConfigError) as caught:
        ConnectorConfig.from_dict({"name": "d"}, META)  # DEMO_TOKEN is not consulted
    assert caught.value.field == "token"
    assert "DEMO_TOKEN" not in str(caught.value) and "VEILLE_SOURCE" not in str(caught.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [("token", "${HOME}"), ("token", "${NOT_SET_42}"), ("user_agent", "x ${HOME} y"), ("tags", ["${HOME}"])],
)
def test_table_without_environment_refuses_references_alike(field: str, value: object) -> None:
    table = {"name": "d", "token": "x", field: value}
    with pytest.raises(ConnectorConfigError) as caught:
        ConnectorConfig.from_dict(table, META)
    assert caught.value.field == field
    assert str(caught.value) == (
        f"source 'd': {field}: environment references (${{...}}) are only read from the operator's "
        "veille.toml; give the value itself"
    )
