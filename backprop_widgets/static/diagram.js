// NetworkDiagram: draws the JSON that Python sends; reports clicks by setting `selected`.
// It never computes a gradient: values, highlights and emphasis all come from Python, and
// so does the text of every number (`value_labels`, `node_labels`), printed as given.

const SVG = "http://www.w3.org/2000/svg";

/** Stroke width for a weight: thicker for larger |w|, relative to the largest |w|. */
export function edgeWidth(value, maxAbs) {
  if (!Number.isFinite(value) || !(maxAbs > 0)) return 1.5;
  return 1 + 5 * Math.min(1, Math.abs(value) / maxAbs);
}

/** "pos" or "neg": the colour class of a signed value (blue / orange, colour-blind safe). */
export function signClass(value) {
  return value < 0 ? "neg" : "pos";
}

/** The text Python wrote for `id` ("" when it sent none): numbers are never formatted here. */
export function labelOf(labels, id) {
  const text = labels ? labels[id] : undefined;
  return typeof text === "string" ? text : "";
}

/** A weight's label on its edge: the name, and with `showValues` its value as Python wrote it. */
export function edgeLabel(param, text, showValues) {
  return showValues && text ? `${param}=${text}` : param;
}

/** Where to put a weight's label: part-way along the edge from its source. */
export function labelPoint(s, d, t = 0.28) {
  return { x: s.x + (d.x - s.x) * t, y: s.y + (d.y - s.y) * t };
}

function el(tag, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

function render({ model, el: root }) {
  root.classList.add("bpw-diagram");
  const svg = el("svg", { role: "group", "aria-label": "network diagram" }, root);
  const tooltip = document.createElement("div");
  tooltip.className = "bpw-tooltip";
  root.appendChild(tooltip);
  let parts = { edges: new Map(), nodes: new Map() };
  const uid = `bpw-${Math.random().toString(36).slice(2, 9)}`;  // clip ids unique on the page

  function select(param) {
    model.set("selected", param);
    model.save_changes();
  }

  function build() {
    const s = model.get("structure");
    svg.replaceChildren();
    parts = { edges: new Map(), nodes: new Map() };
    if (!s || !s.nodes) return;
    svg.setAttribute("viewBox", `0 0 ${s.width} ${s.height}`);
    svg.classList.toggle("dense", !!s.dense);
    const at = new Map(s.nodes.map((n) => [n.id, n]));
    const defs = el("defs", {}, svg);
    const edgeLayer = el("g", { class: "edges" }, svg);
    const labelLayer = el("g", { class: "labels" }, svg);
    const nodeLayer = el("g", { class: "nodes" }, svg);
    for (const e of s.edges) {
      const a = at.get(e.s), b = at.get(e.d);
      const g = el("g", { class: `edge ${e.kind}`, "data-edge": e.id }, edgeLayer);
      const line = el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: "stroke" }, g);
      let label = null;
      if (e.p) {
        g.dataset.param = e.p;
        g.setAttribute("tabindex", "0");
        g.setAttribute("role", "button");
        // a wide transparent line on top: a generous target for a finger or a projector pointer
        el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: "hit" }, g);
        g.addEventListener("click", () => select(e.p));
        g.addEventListener("keydown", (ev) => {
          if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(e.p); }
        });
        g.addEventListener("mouseenter", () => showTip(e, a, b));
        g.addEventListener("mouseleave", () => { tooltip.style.display = "none"; });
        g.addEventListener("focus", () => showTip(e, a, b));
        g.addEventListener("blur", () => { tooltip.style.display = "none"; });
        if (e.kind === "weight") {
          const p = labelPoint(a, b);
          label = el("text", { x: p.x, y: p.y - 4, class: "edge-label", "data-label": e.id }, labelLayer);
        }
      }
      parts.edges.set(e.id, { g, line, label, edge: e });
    }
    for (const n of s.nodes) {
      const g = el("g", { class: `node ${n.kind}`, "data-node": n.id }, nodeLayer);
      // bias squares stay smaller than the neurons they feed, also in dense diagrams
      const biasR = s.dense ? Math.max(3, s.r * 0.6) : Math.max(8, s.r * 0.55);
      const r = n.kind === "bias" ? biasR : n.kind === "loss" ? s.r + 2 : s.r;
      if (n.kind === "bias") {
        el("rect", { x: n.x - r, y: n.y - r, width: 2 * r, height: 2 * r, rx: 3 }, g);
        g.dataset.param = n.id;
        g.setAttribute("tabindex", "0");
        g.setAttribute("role", "button");
        g.setAttribute("aria-label", `bias ${n.id}`);
        g.addEventListener("click", () => select(n.id));
        g.addEventListener("keydown", (ev) => {
          if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(n.id); }
        });
      } else {
        el("circle", { cx: n.x, cy: n.y, r }, g);
      }
      let picture = null;
      if (n.kind === "hidden" || n.kind === "output") {
        // what the neuron computes over the input plane, when Python sends a picture
        const clip = `${uid}-clip-${n.id}`.replace(/[^\w-]/g, "_");
        el("circle", { cx: n.x, cy: n.y, r: r - 1 }, el("clipPath", { id: clip }, defs));
        picture = el("image", {
          x: n.x - r, y: n.y - r, width: 2 * r, height: 2 * r, class: "picture",
          "clip-path": `url(#${clip})`, preserveAspectRatio: "none",
        }, g);
      }
      el("title", {}, g).textContent = n.id;
      const text = el("text", { x: n.x, y: n.y, class: "node-label" }, g);
      text.textContent = n.id;
      const value = el("text", { x: n.x, y: n.y + r + 12, class: "node-value" }, g);
      parts.nodes.set(n.id, { g, value, picture });
    }
    update();
    drawPictures();
  }

  function showTip(e, a, b) {
    const text = labelOf(model.get("value_labels"), e.p);
    const what = e.kind === "bias" ? `bias into ${e.d}` : `${e.s} → ${e.d}`;
    tooltip.textContent = `${e.p} = ${text}  (${what})`;
    const s = model.get("structure");
    const box = svg.getBoundingClientRect();
    const scale = box.width / s.width;
    tooltip.style.left = `${((a.x + b.x) / 2) * scale}px`;
    tooltip.style.top = `${((a.y + b.y) / 2) * scale - 28}px`;
    tooltip.style.display = "block";
  }

  function update() {
    const values = model.get("values") || {};
    const valueLabels = model.get("value_labels") || {};
    const selected = model.get("selected");
    const lit = new Set((model.get("highlight") || {}).edges || []);
    const emphasis = model.get("emphasis") || {};
    const nodeLabels = model.get("node_labels") || {};
    const showValues = model.get("show_values");
    let maxAbs = 0;
    for (const { edge } of parts.edges.values()) {
      if (edge.p) maxAbs = Math.max(maxAbs, Math.abs(values[edge.p] ?? 0));
    }
    const litNodes = new Set();
    for (const [id, part] of parts.edges) {
      const { edge, g, line, label } = part;
      const isLit = lit.has(id);
      if (isLit) { litNodes.add(edge.s); litNodes.add(edge.d); }
      g.classList.toggle("lit", isLit);
      g.classList.toggle("dim", lit.size > 0 && !isLit);
      g.classList.toggle("selected", !!edge.p && edge.p === selected);
      g.classList.toggle("known", (emphasis.known || []).includes(edge.p));
      if (edge.p) {
        const v = values[edge.p];
        line.setAttribute("stroke-width", edgeWidth(v, maxAbs));
        g.classList.remove("pos", "neg");
        g.classList.add(signClass(v));
        const text = labelOf(valueLabels, edge.p);
        g.setAttribute("aria-label", `${edge.p} = ${text}, ${edge.kind === "bias" ? "bias into" : edge.s + " to"} ${edge.d}`);
        g.setAttribute("aria-pressed", String(edge.p === selected));
        if (label) label.textContent = edgeLabel(edge.p, text, showValues);
        if (label) {
          label.classList.toggle("lit", isLit || edge.p === selected);
          label.classList.toggle("chosen", edge.p === selected);
        }
      }
    }
    const revealed = new Set(emphasis.revealed || []);
    for (const [id, { g, value }] of parts.nodes) {
      g.classList.toggle("lit", litNodes.has(id));
      g.classList.toggle("selected", id === selected);
      g.classList.toggle("revealed", revealed.has(id));
      g.classList.toggle("current", emphasis.current === id);
      value.textContent = labelOf(nodeLabels, id);
    }
    root.dataset.selected = selected;
  }

  function drawPictures() {
    const pictures = model.get("node_pictures") || {};
    for (const [id, { g, picture }] of parts.nodes) {
      if (!picture) continue;
      const url = pictures[id];
      if (url) picture.setAttribute("href", url);
      else picture.removeAttribute("href");
      g.classList.toggle("has-picture", !!url);
    }
  }

  build();
  model.on("change:structure", build);
  model.on("change:node_pictures", drawPictures);
  for (const name of ["values", "value_labels", "node_labels", "selected", "highlight", "emphasis", "show_values"]) {
    model.on(`change:${name}`, update);
  }
  return () => svg.remove();
}

export default { render };
