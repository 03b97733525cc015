// A small horizontal bar chart in SVG. It is a picture for the eyes: the table beside it
// carries the same figures for screen readers (the chart is described in one sentence).
import { h } from "./dom.js";
import { number } from "./format.js";

export function barChart(rows, description) {
  const shown = rows.slice(0, 10);
  const max = Math.max(1, ...shown.map((r) => r.count));
  // Drawn for a phone's width (the text stays readable there); capped in size by the CSS.
  const line = 26;
  const width = 400;
  const labelWidth = 185;
  const barSpace = width - labelWidth - 45;
  const svg = h("svg", {
    class: "chart", viewBox: `0 0 ${width} ${shown.length * line + 8}`, role: "img", "aria-label": description,
  });
  shown.forEach((row, i) => {
    const y = i * line + 4;
    const label = row.label.length > 22 ? `${row.label.slice(0, 21)}…` : row.label;
    const size = Math.max(2, Math.round((row.count / max) * barSpace));
    svg.append(
      h("text", { x: labelWidth - 8, y: y + 16, "text-anchor": "end" }, label),
      h("rect", { class: `bar ${row.category || ""}`, x: labelWidth, y: y + 3, width: size, height: line - 10, rx: 3 }),
      h("text", { x: labelWidth + size + 6, y: y + 16 }, number(row.count)));
  });
  return svg;
}
