// Elements built from data: text always goes in as text, never as HTML.

/** h("a", {href: "#/x", class: "y"}, "texte", child…); `on…` attributes become listeners. */
export function h(tag, attrs = {}, ...children) {
  const svg = ["svg", "rect", "text", "g", "title", "desc", "path", "line"].includes(tag);
  const node = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else if (value === true) {
      node.setAttribute(name, "");
    } else {
      node.setAttribute(name, String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace what `node` shows. */
export function show(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

/** Say something to screen readers without moving the focus. */
export function announce(text) {
  const region = document.getElementById("annonce");
  region.textContent = "";
  // A fresh text after a tick is read even when it repeats the last one.
  setTimeout(() => { region.textContent = text; }, 50);
}
