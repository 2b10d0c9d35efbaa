// /care: customer care, our accounts against the competitors' — response rate, median and
// 90th-percentile response time, share answered within the SLA and the trend against the previous
// period, per brand, per brand in each country and per account. The figures are read from the
// per-hour summaries the store keeps as posts arrive (docs/care.md) and follow the live stream.
import { html } from "htm/preact";
import { useState } from "preact/hooks";
import { formatDuration } from "veille/format.js";
import { t } from "veille/i18n.js";
import { Widget } from "veille/widgets/index.js";
import { Board, Cell, mountBoard, useBoardFilters } from "./board.js";

const SLAS = [900, 1800, 3600, 14_400, 86_400];

function CareBoard() {
  const { filters, topics, setFilters } = useBoardFilters({ range: "7d" });
  const [sla, setSla] = useState(3600);
  const [businessHours, setBusinessHours] = useState(false);
  const options = (group_by) => ({ group_by, sla_s: sla, business_hours: businessHours });
  const controls = html`<label class="filterbar__zone board-option">
      <span>${t("Answer within")}</span>
      <select data-option="sla_s" value=${String(sla)} onChange=${(event) => setSla(Number(event.currentTarget.value))}>
        ${SLAS.map((value) => html`<option key=${value} value=${String(value)}>${formatDuration(value)}</option>`)}
      </select>
    </label>
    <label class="filterbar__toggle">
      <input type="checkbox" data-option="business_hours" checked=${businessHours} onChange=${(event) => setBusinessHours(event.currentTarget.checked)} />
      <span>${t("Business hours only")}</span>
    </label>`;
  return html`<${Board}
    name="care"
    title=${t("Customer care")}
    subtitle=${t("How fast and how often our accounts answer the public, against the competitors' accounts, with the trend against the previous period.")}
    filters=${filters}
    topics=${topics}
    onFilters=${setFilters}
    options=${controls}
  >
    <${Cell} span=${12} rows=${0} name="brands"><${Widget} type="care" title=${t("Per brand")} filters=${filters} options=${options("brand")} /></${Cell}>
    <${Cell} span=${12} rows=${0} name="countries"><${Widget} type="care" title=${t("Per country: our accounts against competitors")} filters=${filters} options=${options("country")} /></${Cell}>
    <${Cell} span=${12} rows=${8} name="accounts"><${Widget} type="care" title=${t("Per account")} filters=${filters} options=${options("account")} /></${Cell}>
  </${Board}>`;
}

mountBoard(CareBoard);
