// The catalogue (/catalogue): everything shared with the reader (topics, dashboards, walls, alert
// rules, sources, accounts), searchable by name, query, owner team and kind, so a team finds an
// existing topic before writing its own. The address keeps the search (?q=&kind=).
import { html, render } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatNumber } from "veille/format.js";
import { t, tn } from "veille/i18n.js";
import { ErrorBanner, kindWord, mount, visibilityWord } from "./common.js";

const KINDS = ["topic", "dashboard", "wall", "alert_rule", "source", "account"];

function Catalogue() {
  const params = new URLSearchParams(window.location.search);
  const [q, setQ] = useState(params.get("q") || "");
  const [kind, setKind] = useState(params.get("kind") || "");
  const [state, setState] = useState({ items: null, error: null });
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      const query = { q };
      if (kind) query.kind = kind;
      // The address keeps the search (and the page's other parameters: lang, theme).
      const address = new URLSearchParams(window.location.search);
      address.set("q", q);
      if (kind) address.set("kind", kind);
      else address.delete("kind");
      window.history.replaceState(null, "", `/catalogue?${address}`);
      try {
        const answer = await api.get("/api/v1/catalogue", { query, signal: controller.signal });
        setState({ items: answer.items, error: null });
      } catch (error) {
        if (error && error.name === "AbortError") return;
        setState({ items: [], error });
      }
    }, 200);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q, kind]);
  const items = state.items;
  return html`<section class="catalogue">
    <p class="muted">${t("Everything shared with you. Look here before writing a topic, a dashboard or a wall: another team may have made it.")}</p>
    <form class="catalogue__search" role="search" onSubmit=${(event) => event.preventDefault()}>
      <input type="search" name="q" value=${q} placeholder=${t("Search by name, query, owner team or kind")} aria-label=${t("Search")} onInput=${(event) => setQ(event.currentTarget.value)} />
      <select name="kind" aria-label=${t("Kind")} value=${kind} onChange=${(event) => setKind(event.currentTarget.value)}>
        <option value="">${t("Every kind")}</option>
        ${KINDS.map((value) => html`<option value=${value}>${kindWord(value)}</option>`)}
      </select>
    </form>
    <${ErrorBanner} error=${state.error} />
    ${items === null
      ? html`<p class="muted" role="status">${t("Loading…")}</p>`
      : html`<p class="catalogue__count" data-count=${items.length}>${tn("{n} shared item", "{n} shared items", items.length, { n: formatNumber(items.length) })}</p>
        ${items.length
          ? html`<table class="desk-table catalogue__table">
              <thead><tr><th>${t("Kind")}</th><th>${t("Name")}</th><th>${t("Query or description")}</th><th>${t("Owner team")}</th><th>${t("Visibility")}</th></tr></thead>
              <tbody>
                ${items.map((item) => html`<tr data-kind=${item.kind} data-id=${item.id}>
                  <td><span class="badge">${kindWord(item.kind)}</span></td>
                  <td><a href=${item.url} dir="auto">${item.name}</a>${item.name !== item.id && item.kind === "topic" ? html` <code>${item.id}</code>` : null}</td>
                  <td class="catalogue__text" dir="auto">${item.text}</td>
                  <td data-owner-team=${item.owner_team || ""}>${item.owner_team || html`<span class="muted">${t("no team")}</span>`}</td>
                  <td data-visibility=${item.visibility}>${visibilityWord(item.visibility)}</td>
                </tr>`)}
              </tbody>
            </table>`
          : html`<div class="admin-empty"><h2>${t("Nothing found")}</h2><p>${t("Nothing shared with you matches this search.")}</p></div>`}`}
  </section>`;
}

render(html`<${Catalogue} />`, mount());
