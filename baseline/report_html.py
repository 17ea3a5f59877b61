"""HTML rendering of a `report_model.Report`: one self-contained file.

No external script, style, font or image (it must open offline, from an email attachment or a CI
artifact): the style and the script are inline, the charts are inline SVG, and a
Content-Security-Policy of `default-src 'none'` makes the browser refuse anything else, so a
stray reference would show up as broken rather than leak a request. Every value from the
evaluations is HTML-escaped. Filtering and sorting run in the page; the print style drops the
controls and prints the rows shown, with the filter in effect stated above them.
"""

from __future__ import annotations

from html import escape

from baseline.report_model import PATH_TITLES, VERDICTS, Column, Report, Row, columns_for

VERDICT_COLOURS = {
    "NON_COMPLIANT": "#b71c1c",
    "INSUFFICIENT_DATA": "#e65100",
    "COMPLIANT": "#1b5e20",
    "NOT_APPLICABLE": "#616161",
}
PATH_COLOUR = "#4a148c"
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

STYLE = """
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a; }
body { margin: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
.meta { color: #555; margin: 0 0 1rem; }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; margin-bottom: 1rem; }
.card { border: 1px solid #ccc; border-left: .4rem solid var(--c); border-radius: .3rem;
        padding: .5rem .8rem; min-width: 9rem; }
.card .n { font-size: 1.8rem; font-weight: 700; display: block; }
.charts { display: flex; flex-wrap: wrap; gap: 2rem; margin-bottom: 1rem; }
.charts figure { margin: 0; }
.charts figcaption { font-weight: 600; margin-bottom: .25rem; }
.controls { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin: 1rem 0 .5rem; }
.controls input { min-width: 16rem; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; }
th, td { border: 1px solid #ddd; padding: .3rem .4rem; text-align: left; vertical-align: top; }
th button { all: unset; cursor: pointer; font-weight: 600; }
th button::after { content: " \\2195"; color: #999; }
th[aria-sort="ascending"] button::after { content: " \\2191"; color: #000; }
th[aria-sort="descending"] button::after { content: " \\2193"; color: #000; }
thead th { background: #f3f3f3; position: sticky; top: 0; }
td div + div { border-top: 1px dotted #bbb; }
td div { white-space: nowrap; }
small { color: #555; }
.verdict { font-weight: 700; color: var(--c); white-space: nowrap; }
tr.NON_COMPLIANT { background: #fff5f5; }
tr.INSUFFICIENT_DATA { background: #fff8ef; }
code { font-size: .8rem; }
.print-only { display: none; }
@page { size: A4 landscape; margin: 1cm; }
@media print {
  body { margin: 0; }
  .controls, th button::after { display: none; }
  .print-only { display: block; }
  thead { display: table-header-group; }
  thead th { position: static; }
  tr { break-inside: avoid; }
  table { font-size: 7.5pt; }
  tr.NON_COMPLIANT, tr.INSUFFICIENT_DATA { background: none; }
}
"""

SCRIPT = """
(function () {
  const rows = Array.from(document.querySelectorAll("#users tbody tr"));
  const text = document.getElementById("filter-text");
  const verdict = document.getElementById("filter-verdict");
  const path = document.getElementById("filter-path");
  const shown = document.getElementById("shown");
  const printNote = document.getElementById("print-filter");
  function apply() {
    const needle = text.value.trim().toLowerCase();
    let n = 0;
    for (const row of rows) {
      const ok = (!needle || row.textContent.toLowerCase().includes(needle))
        && (!verdict.value || row.dataset.verdict === verdict.value)
        && (!path.value || row.dataset.paths.split(" ").includes(path.value));
      row.hidden = !ok;
      if (ok) n += 1;
    }
    shown.textContent = n + " of " + rows.length + " users shown";
    const parts = [];
    if (verdict.value) parts.push("verdict " + verdict.value);
    if (path.value) parts.push("path " + path.options[path.selectedIndex].text);
    if (needle) parts.push("text \\u201c" + needle + "\\u201d");
    printNote.textContent = parts.length
      ? "Filtered (" + parts.join(", ") + "): " + n + " of " + rows.length + " users."
      : "All " + rows.length + " users.";
  }
  const tbody = document.querySelector("#users tbody");
  document.querySelectorAll("#users thead th").forEach(function (th, column) {
    th.querySelector("button").addEventListener("click", function () {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      document.querySelectorAll("#users thead th").forEach(function (o) { o.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const key = function (row) { return row.cells[column].dataset.sort || row.cells[column].textContent; };
      rows.sort(function (a, b) {
        const c = key(a).localeCompare(key(b), undefined, {numeric: true});
        return ascending ? c : -c;
      });
      for (const row of rows) tbody.appendChild(row);
    });
  });
  [text, verdict, path].forEach(function (el) { el.addEventListener("input", apply); });
  apply();
})();
"""


def _bar_chart(title: str, bars: list[tuple[str, int, str]]) -> str:
    width, label_w, bar_h, gap = 420, 150, 22, 8
    top = max([n for _, n, _ in bars] + [1])
    height = len(bars) * (bar_h + gap)
    parts = [
        f'<svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
    ]
    for i, (label, n, colour) in enumerate(bars):
        y = i * (bar_h + gap)
        w = round((width - label_w - 40) * n / top)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="{colour}"/>'
            f'<text x="{label_w + w + 5}" y="{y + 15}" font-size="12" font-weight="700">{n}</text>'
        )
    parts.append("</svg>")
    return f"<figure><figcaption>{escape(title)}</figcaption>{''.join(parts)}</figure>"


def _cell(column_key: str, values: tuple[str, ...], row: Row) -> str:
    if column_key == "verdict":
        colour = VERDICT_COLOURS[row.verdict]
        sort = str(VERDICTS.index(row.verdict))
        return f'<td class="verdict" style="--c:{colour}" data-sort="{sort}">{escape(row.verdict)}</td>'
    if column_key == "user_name":
        name = escape(row.user_name)
        return f'<td data-sort="{name}">{name}<br><small>{escape(row.user_id)}</small></td>'
    inner = "".join(f"<div>{escape(v)}</div>" for v in values) if len(values) > 1 else escape("".join(values))
    return f"<td>{inner}</td>"


def _html_columns(report: Report) -> tuple[Column, ...]:
    # The user id is shown under the user name.
    return tuple(c for c in columns_for(report) if c.key != "user_id")


def _row_html(columns: tuple[Column, ...], row: Row) -> str:
    cells = "".join(_cell(c.key, c.values(row), row) for c in columns)
    return (
        f'<tr class="{row.verdict}" data-verdict="{row.verdict}" '
        f'data-paths="{" ".join(row.paths)}">{cells}</tr>'
    )


def render_html(report: Report, *, generated_at: str, source: str) -> str:
    summary = report.summary
    accounts = ", ".join(summary.accounts) or "unknown account"
    cards = "".join(
        f'<div class="card" style="--c:{VERDICT_COLOURS[v]}"><span class="n">{n}</span>{escape(v)}</div>'
        for v, n in summary.verdicts
    )
    cards += "".join(
        f'<div class="card" style="--c:{PATH_COLOUR}"><span class="n">{n}</span>'
        f"at risk via {escape(PATH_TITLES[p])}</div>"
        for p, n in summary.paths
    )
    charts = _bar_chart(
        "Users per verdict", [(v, n, VERDICT_COLOURS[v]) for v, n in summary.verdicts]
    ) + _bar_chart(
        "NON_COMPLIANT users per open path",
        [(PATH_TITLES[p], n, PATH_COLOUR) for p, n in summary.paths],
    )
    verdict_options = "".join(f'<option value="{v}">{v}</option>' for v in VERDICTS)
    path_options = "".join(f'<option value="{p}">{escape(PATH_TITLES[p])}</option>' for p in PATH_TITLES)
    columns = _html_columns(report)
    head = "".join(f'<th><button type="button">{escape(c.title)}</button></th>' for c in columns)
    body = "".join(_row_html(columns, row) for row in report.rows)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MFA compliance report: {escape(accounts)}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>MFA compliance report</h1>
<p class="meta">Account {escape(accounts)} · {summary.users} users · generated {escape(generated_at)}
 from {escape(source)} · exemptions: {summary.exempt} active, {summary.expired_exemptions} expired ·
 AccessKeys at risk: {summary.keys_at_risk}</p>
<section class="cards" aria-label="Summary">{cards}</section>
<section class="charts">{charts}</section>
<section class="controls" aria-label="Filter">
<label>Search <input id="filter-text" type="search" placeholder="user, policy, key id, action..."></label>
<label>Verdict <select id="filter-verdict"><option value="">all</option>{verdict_options}</select></label>
<label>Path <select id="filter-path"><option value="">any</option>{path_options}</select></label>
<span id="shown" aria-live="polite"></span>
</section>
<p class="print-only" id="print-filter"></p>
<table id="users">
<thead><tr>{head}</tr></thead>
<tbody>{body}</tbody>
</table>
<script>{SCRIPT}</script>
</body>
</html>
"""
