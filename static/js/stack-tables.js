// Tables that read on a phone without hiding a column or scrolling sideways: below 576 px wide each row
// is shown as a block, each cell labelled with its column's heading (static/css/app.css, .table-stack).
// The ARIA roles keep the table's meaning for screen readers once its display is no longer a table.
document.addEventListener("DOMContentLoaded", () => {
  for (const table of document.querySelectorAll("table")) {
    const headRow = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!headRow || table.classList.contains("table-keep")) continue;
    const headings = [];
    for (const cell of headRow.cells) {
      for (let i = 0; i < cell.colSpan; i++) headings.push(cell.textContent.trim().replace(/\s+/g, " "));
      cell.setAttribute("role", "columnheader");
    }
    table.classList.add("table-stack");
    table.setAttribute("role", "table");
    for (const group of table.querySelectorAll(":scope > thead, :scope > tbody, :scope > tfoot")) {
      group.setAttribute("role", "rowgroup");
    }
    for (const row of table.rows) {
      row.setAttribute("role", "row");
      if (row.parentElement === table.tHead) continue;
      let column = 0;
      for (const cell of row.cells) {
        cell.setAttribute("role", cell.tagName === "TH" ? "rowheader" : "cell");
        if (!cell.dataset.label && headings[column]) cell.dataset.label = headings[column];
        column += cell.colSpan;
      }
    }
  }
});
