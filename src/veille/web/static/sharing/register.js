// The register of official accounts (/governance/register): every official account with its owner
// team, its status and its last activity (the newest post by its handle), and the requests under review.
import { html, render } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatDateTime } from "veille/format.js";
import { t } from "veille/i18n.js";
import { ErrorBanner, mount, SharingControl, statusWord } from "./common.js";

function Register() {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api.get("/api/v1/governance/register").then((answer) => setItems(answer.items), setError);
  }, []);
  if (error) return html`<${ErrorBanner} error=${error} />`;
  if (items === null) return html`<p class="muted" role="status">${t("Loading…")}</p>`;
  if (!items.length) return html`<div class="admin-empty"><h2>${t("No official account yet")}</h2><p>${t("Approved requests and registered accounts of ours appear here.")}</p></div>`;
  return html`<table class="desk-table register">
    <thead><tr><th>${t("Account")}</th><th>${t("Brand")}</th><th>${t("Country")}</th><th>${t("Owner team")}</th><th>${t("Status")}</th><th>${t("Last activity")}</th></tr></thead>
    <tbody>
      ${items.map((item) => html`<tr data-account=${item.account} data-status=${item.status}>
        <td dir="auto">${item.request_id ? html`<a href=${`/governance?request=${item.request_id}`}>${item.account}</a>` : item.account}</td>
        <td dir="auto">${item.brand}</td>
        <td>${item.country || t("global")}</td>
        <td>${item.owner_team || html`<span class="muted">${t("no team")}</span>`}</td>
        <td><span class=${`badge status status--${item.status}`}>${statusWord(item.status)}</span></td>
        <td data-last-activity=${item.last_activity || ""}>${item.last_activity ? formatDateTime(item.last_activity) : html`<span class="muted">${t("no post seen")}</span>`}</td>
      </tr>`)}
    </tbody>
  </table>`;
}

/** Change an account's sharing only: the rest of the account is sent back as it is stored. */
function shareAccount(account, sharing) {
  const { platform, handle, brand, country, ours, business_hours } = account;
  return api.put(`/api/v1/accounts/${account.id}`, { platform, handle, brand, country, ours, business_hours, ...sharing });
}

function AccountRow({ account: stored }) {
  const [account, setAccount] = useState(stored);
  return html`<tr data-account-id=${account.id} data-ours=${account.ours ? "true" : "false"}>
    <td dir="auto">${account.account}</td>
    <td dir="auto">${account.brand}</td>
    <td>${account.ours ? t("ours") : t("another brand")}</td>
    <td><${SharingControl} kind="account" item=${account} adminOnly=${true} save=${(sharing) => shareAccount(account, sharing)} onSaved=${setAccount} /></td>
  </tr>`;
}

/** Every account of the brand-account registry the reader may see (ours and other brands'), with
 * its owner team and visibility; admins change them (docs/sharing.md). */
function Accounts() {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api.get("/api/v1/accounts").then((answer) => setItems(answer.items), setError);
  }, []);
  if (error) return html`<${ErrorBanner} error=${error} />`;
  if (items === null) return null;
  return html`<section class="registry" data-section="accounts">
    <h2>${t("Brand-account registry")}</h2>
    ${items.length
      ? html`<table class="desk-table accounts">
          <thead><tr><th>${t("Account")}</th><th>${t("Brand")}</th><th>${t("Whose")}</th><th>${t("Sharing")}</th></tr></thead>
          <tbody>${items.map((account) => html`<${AccountRow} key=${account.id} account=${account} />`)}</tbody>
        </table>`
      : html`<p class="muted">${t("No account shared with you.")}</p>`}
  </section>`;
}

render(html`<${Register} /><${Accounts} />`, mount());
