// The user's menu in the header: language and time zone (PUT /api/v1/me), then the page reloads in
// them. Mounted on #preferences (templates/admin_nav.html).
import { html, render } from "htm/preact";
import { useState } from "preact/hooks";
import { api } from "./api.js";
import { timeZones } from "./filterbar.js";
import { t } from "./i18n.js";

const LANGUAGES = { en: "English", fr: "Français" };

function Preferences({ user }) {
  const [me, setMe] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const load = (event) => {
    if (!event.currentTarget.open || me) return;
    api.get("/api/v1/me").then(setMe, (problem) => setError(problem.message));
  };
  const change = async (field, value) => {
    setBusy(true);
    try {
      await api.put("/api/v1/me", { [field]: value || null });
      window.location.reload();
    } catch (problem) {
      setError(problem.message);
      setBusy(false);
    }
  };
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return html`<details class="prefs" onToggle=${load}>
    <summary class="admin-nav__name" title=${t("Logged in as {name}", { name: user })}>${user}</summary>
    <div class="prefs__panel">
      <label>${t("Language")}
        <select data-preference="language" disabled=${!me || busy} value=${(me && me.language) || ""} onChange=${(event) => change("language", event.currentTarget.value)}>
          <option value="">${t("The browser's")}</option>
          ${Object.entries(LANGUAGES).map(([code, name]) => html`<option key=${code} value=${code}>${name}</option>`)}
        </select>
      </label>
      <label>${t("Time zone")}
        <select data-preference="time_zone" disabled=${!me || busy} value=${(me && me.time_zone) || ""} onChange=${(event) => change("time_zone", event.currentTarget.value)}>
          <option value="">${t("The browser's ({zone})", { zone: browserZone })}</option>
          ${timeZones(me && me.time_zone).map((zone) => html`<option key=${zone} value=${zone}>${zone.replace(/_/g, " ")}</option>`)}
        </select>
      </label>
      ${error ? html`<p class="prefs__error" role="alert">${error}</p>` : null}
    </div>
  </details>`;
}

const mount = document.getElementById("preferences");
if (mount) {
  const user = mount.dataset.user || "";
  mount.textContent = "";
  render(html`<${Preferences} user=${user} />`, mount);
}
