"""The demo's inbox: our accounts answer through the fake write platform the demo hub serves
itself (:mod:`veille.demo.reply_platform`, mounted at ``/demo/platform`` when
``[hub] demo_platform`` is on), and a desk starts with saved replies and holding statements in
French, English and Spanish.

The simulator already makes customers write to our accounts (questions, complaints, mentions;
some answered by the simulated care team, the others waiting): they land in the queue, and a reply
sent from ``/inbox`` goes to the fake platform, then into the store as our account's post, so the
care figures move at once.
"""

from __future__ import annotations

from veille.accounts.service import list_accounts
from veille.demo.reply_platform import demo_credentials
from veille.inbox import service
from veille.inbox.models import SavedReplySpec
from veille.inbox.replies import supported
from veille.security.secrets import SecretBox
from veille.store.sql import SqlStore

__all__ = ["DEMO_PLATFORM_PATH", "SAVED_REPLIES", "ensure_demo_inbox"]

DEMO_PLATFORM_PATH = "/demo/platform"
# SLA per country of our accounts (seconds): what each desk promises.
_SLA_S = {"FR": 1800.0, "BE": 1800.0, "GB": 1800.0}
_DEFAULT_SLA_S = 3600.0

SAVED_REPLIES: tuple[SavedReplySpec, ...] = (
    SavedReplySpec(
        name="Panne — message d’attente",
        kind="holding",
        lang="fr",
        text="Bonjour {first_name}, nous sommes au courant d’un incident sur le réseau et nos équipes sont mobilisées. "
        "Nous revenons vers vous dès que possible. {agent} pour {brand}",
    ),
    SavedReplySpec(
        name="Demande d’informations (MP)",
        kind="reply",
        lang="fr",
        text="Bonjour {first_name}, pouvez-vous nous écrire en message privé votre numéro client ? "
        "Nous regardons votre dossier tout de suite. {agent}",
    ),
    SavedReplySpec(
        name="Outage — holding statement",
        kind="holding",
        lang="en",
        text="Hi {first_name}, we are aware of a network incident and our teams are on it. "
        "We will update you as soon as possible. {agent} for {brand}",
    ),
    SavedReplySpec(
        name="Ask for a DM",
        kind="reply",
        lang="en",
        text="Hi {first_name}, could you send us your customer number by DM? We will look into it right away. {agent}",
    ),
    SavedReplySpec(
        name="Incidencia — mensaje de espera",
        kind="holding",
        lang="es",
        text="Hola {first_name}, sabemos que hay una incidencia en la red y nuestros equipos ya trabajan en ella. {agent}",
    ),
)


def ensure_demo_inbox(*, store: SqlStore, base_url: str, secrets: SecretBox) -> int:
    """Point our accounts' writes at the demo platform under ``base_url`` (``http://127.0.0.1:PORT``)
    with the credentials it accepts, and add the saved replies when there are none; returns how many
    accounts can answer. Accounts whose desk settings an operator already changed keep them."""
    current = {item["account_id"]: item for item in service.desk_settings(store=store)}
    ready = 0
    for account in list_accounts(store=store):
        if not account.ours or not supported(account.platform):
            continue
        known = current.get(account.id)
        if known is not None and known["updated_by"] not in (None, "demo"):
            continue
        service.save_desk_settings(
            store=store,
            account_id=account.id,
            sla_s=_SLA_S.get(account.country or "", _DEFAULT_SLA_S),
            endpoint=f"{base_url.rstrip('/')}{DEMO_PLATFORM_PATH}/{account.platform}",
            credentials=demo_credentials(account.platform),
            secrets=secrets,
            by="demo",
        )
        ready += 1
    if not service.list_saved_replies(store=store):
        for spec in SAVED_REPLIES:
            service.create_saved_reply(store=store, spec=spec, by="demo")
    return ready
