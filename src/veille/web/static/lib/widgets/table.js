// A widget's table: a header, rows that open the explorer (real links: they open in a new tab
// too), figures aligned right.
import { html } from "htm/preact";

/**
 * ``columns``: [{key, label, numeric, render(row)}]; ``rowHref(row)`` the explorer address of a
 * row (or null); ``rowKey(row)``; ``rowAttributes(row)`` extra data-* attributes.
 */
export function Table({ columns, rows, rowHref, rowKey, rowAttributes, caption }) {
  return html`<div class="widget__table-wrap">
    <table class="widget__table">
      ${caption ? html`<caption class="visually-hidden">${caption}</caption>` : null}
      <thead>
        <tr>
          ${columns.map((column) => html`<th key=${column.key} scope="col" class=${column.numeric ? "num" : ""}>${column.label}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows.map((row, index) => {
          const href = rowHref ? rowHref(row) : null;
          return html`<tr key=${rowKey ? rowKey(row) : index} class=${href ? "is-link" : ""} ...${rowAttributes ? rowAttributes(row) : {}}>
            ${columns.map((column, position) => {
              const content = column.render ? column.render(row) : row[column.key];
              return html`<td key=${column.key} class=${column.numeric ? "num" : ""}>
                ${href && position === 0 ? html`<a href=${href} data-explore="row">${content}</a>` : content}
              </td>`;
            })}
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}
