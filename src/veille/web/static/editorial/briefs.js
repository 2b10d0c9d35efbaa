// /briefs: every brief in the caller's scope, newest first, each opening its page.
// Root: data-panel="briefs" data-state="loading|ready|empty|error".
import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "veille/api.js";
import { formatDateTime, formatNumber } from "veille/format.js";
import { t } from "veille/i18n.js";
import { mountPage, PageHead } from "./common.js";

function BriefsPage() {
  const [state, setState] = useState({ status: "loading", items: [], error: null });
  useEffect(() => {
    api.get("/api/v1/editorial/briefs").then(
      (answer) => setState({ status: answer.items.length ? "ready" : "empty", items: answer.items, error: null }),
      (error) => setState({ status: "error", items: [], error }),
    );
  }, []);
  return html`<div class="editorial-page" data-panel="briefs" data-state=${state.status}>
    <${PageHead} title=${t("Briefs")} subtitle=${t("Sub-topics of the radar turned into content briefs, and how the content made from them performed.")}>
      <a class="btn btn--ghost btn--small" href="/radar">${t("Editorial radar")}</a>
    </${PageHead}>
    ${state.status === "loading" ? html`<p class="admin-empty" role="status">${t("Loading…")}</p>` : null}
    ${state.status === "error" ? html`<p class="admin-empty" role="alert">${state.error.message}</p>` : null}
    ${state.status === "empty" ? html`<p class="admin-empty">${t("No brief yet: make one from a sub-topic of the radar.")}</p>` : null}
    ${state.items.length
      ? html`<table class="brief-table brief-table--list">
          <thead><tr><th>${t("Title")}</th><th>${t("Topic")}</th><th>${t("Status")}</th><th class="n">${t("Questions")}</th><th class="n">${t("Linked content")}</th><th>${t("Made")}</th></tr></thead>
          <tbody>${state.items.map((brief) => html`<tr key=${brief.id} data-brief-id=${brief.id}>
            <td><a href=${`/briefs/${brief.id}`}>${brief.title}</a></td><td>${brief.topic}</td><td>${brief.status}</td>
            <td class="n">${formatNumber(brief.questions)}</td><td class="n">${formatNumber(brief.links)}</td>
            <td>${formatDateTime(brief.created_at)} · ${brief.created_by}</td>
          </tr>`)}</tbody>
        </table>`
      : null}
  </div>`;
}

mountPage(BriefsPage);
