// A QR code as an SVG image, drawn from the modules of the vendored encoder (uqr 0.1.3,
// vendor/uqr/README.txt): black on white whatever the theme, with its quiet zone, as
// authenticator apps read it best.
import { encode } from "../vendor/uqr/uqr.js";
import { h } from "./dom.js";

/** An <svg role="img"> of `text`, named by `label` for screen readers. */
export function qrCode(text, label) {
  const { size, data } = encode(text, { ecc: "M", border: 4 });
  const path = [];
  data.forEach((row, y) => row.forEach((dark, x) => {
    if (dark) path.push(`M${x},${y}h1v1h-1z`);
  }));
  return h("svg", { class: "qr", viewBox: `0 0 ${size} ${size}`, role: "img", "aria-label": label, "shape-rendering": "crispEdges" },
    h("rect", { width: size, height: size, fill: "#ffffff" }),
    h("path", { d: path.join(""), fill: "#000000" }));
}
