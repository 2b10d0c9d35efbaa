// What the editorial pages share: the page head and the order topics are offered in (the customer
// essentials first: brands and products, then themes, sensitive topics, events, competitors).
import { html, render } from "htm/preact";
import { t } from "veille/i18n.js";

const KIND_ORDER = ["brand", "product", "theme", "sensitive", "event", "competitor"];

export function kindName(kind) {
  return (
    {
      brand: t("Brands"),
      product: t("Products"),
      theme: t("Themes"),
      sensitive: t("Sensitive topics"),
      event: t("Events"),
      competitor: t("Competitors"),
    }[kind] || String(kind || "")
  );
}

/** Topics, the customer essentials first, then by name. */
export function orderedTopics(topics) {
  const rank = (kind) => (KIND_ORDER.includes(kind) ? KIND_ORDER.indexOf(kind) : KIND_ORDER.length);
  return [...topics].sort((a, b) => rank(a.kind) - rank(b.kind) || String(a.name).localeCompare(String(b.name)));
}

export function PageHead({ title, subtitle, children }) {
  return html`<header class="editorial-head">
    <div>
      <h1 class="editorial-head__title">${title}</h1>
      ${subtitle ? html`<p class="editorial-head__subtitle">${subtitle}</p>` : null}
    </div>
    <div class="editorial-head__tools">${children}</div>
  </header>`;
}

export function mountPage(Page) {
  const root = document.getElementById("editorial");
  root.textContent = "";
  render(html`<${Page} root=${root} />`, root);
}
