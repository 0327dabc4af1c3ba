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

/** Distance from point p to the segment a-b (all {x, y}). */
export function segmentDistance(p, a, b) {
  const dx = b.x - a.x, dy = b.y - a.y;
  const length2 = dx * dx + dy * dy;
  const t = length2 ? Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2)) : 0;
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/** The id of the clickable edge nearest to p, within `reach` (else null): a click picks the
 * line under the pointer, not whichever wide hit area happens to be drawn on top. */
export function nearestEdge(p, edges, at, reach = 10) {
  let best = null, bestDistance = reach;
  for (const e of edges) {
    if (!e.p) continue;
    const d = segmentDistance(p, at.get(e.s), at.get(e.d));
    if (d < bestDistance) { best = e; bestDistance = d; }
  }
  return best ? best.id : null;
}

/** Which weight labels to draw at `unit` drawing units per screen px: "values" (w1=0.15),
 * "names" (w1) or "selected" (only the selected weight's), as far as Python found they fit
 * (`fits`: the largest unit for each). Labels keep their size on screen, so a drawing shown
 * smaller has larger labels in its own units, and fewer of them fit. */
export function labelMode(unit, fits) {
  if (!fits || !(unit > 0)) return "names";
  if (unit <= (fits.values || 0)) return "values";
  if (unit <= (fits.names || 0)) return "names";
  return "selected";
}

/** Where an arrow key moves the focus among the n selectable parts (weights, biases or a
 * graph's nodes, in drawing order): right/down to the next, left/up to the previous, Home and
 * End to the ends; null for any other key. */
export function arrowTarget(index, n, key) {
  if (!(n > 0)) return null;
  if (key === "ArrowRight" || key === "ArrowDown") return (index + 1) % n;
  if (key === "ArrowLeft" || key === "ArrowUp") return (index - 1 + n) % n;
  if (key === "Home") return 0;
  if (key === "End") return n - 1;
  return null;
}

/** A typed weight, as the text to send to Python (which validates it): trimmed, or null. */
export function editedText(text) {
  const trimmed = String(text ?? "").trim();
  return trimmed ? trimmed : null;
}

function el(tag, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

export function renderDiagram({ model, el: root, live = null }) {
  root.classList.add("bpw-diagram");
  // projector mode: the widget's whole root (the explorer, the exercise) takes the class
  const host = () => root.closest(".bpw-explorer, .bpw-exercise, .bpw-training") || root;
  const project = () => { host().classList.toggle("bpw-projector", !!model.get("projector")); fitText(); };
  model.on("change:projector", project);
  requestAnimationFrame(project);
  // A host that sends the weights' values and labels or the neuron pictures in its own form
  // (the dashboard: binary, per frame) passes `live` getters for them, and calls the
  // returned function's `update` / `drawPictures` when they change.
  const read = (name) => (live && live[name] ? live[name]() : model.get(name));
  const svg = el("svg", { role: "group", "aria-label": "network diagram" }, root);
  const tooltip = document.createElement("div");
  tooltip.className = "bpw-tooltip";
  root.appendChild(tooltip);
  let parts = { edges: new Map(), nodes: new Map() };
  let mode = "names";
  // Text is sized in screen px (diagram.css multiplies by --bpw-unit): a diagram drawn
  // smaller keeps readable labels and shows fewer of them, never overlapping ones.
  const sizer = new ResizeObserver(() => fitText());
  sizer.observe(svg);
  const uid = `bpw-${Math.random().toString(36).slice(2, 9)}`;  // clip ids unique on the page

  // A click asks Python to select; Python decides and sends `selected` back, so a page with
  // no kernel (a saved notebook, an exported page) never lights a weight whose formula it
  // cannot show: it says once how to make it live instead.
  let unanswered = null;
  function select(param, always = false) {
    if (param === model.get("selected") && !always) return;
    model.send({ type: "select", name: param });
    clearTimeout(unanswered);
    unanswered = setTimeout(() => {
      if (model.get("selected") === param) return;
      tooltip.textContent = "This is the picture saved with the notebook: run its cell to explore it.";
      tooltip.classList.add("bpw-offline");
      tooltip.style.left = "50%";
      tooltip.style.top = "4px";
      tooltip.style.display = "block";
      setTimeout(() => { tooltip.style.display = "none"; tooltip.classList.remove("bpw-offline"); }, 5000);
    }, 2500);
  }
  model.on("change:selected", () => clearTimeout(unanswered));

  // A drawing from a saved notebook or an exported page has no kernel behind it: ask Python
  // once whether it is there, and if nothing answers, say so once, quietly, under the drawing
  // (a saved picture is still worth reading; it only cannot change).
  const offline = document.createElement("p");
  offline.className = "bpw-offline-note";
  offline.textContent = "The picture saved with the notebook: run its cell to explore it.";
  offline.hidden = true;
  root.appendChild(offline);
  let alive = false;
  model.on("msg:custom", (msg) => { if (msg && msg.type === "alive") { alive = true; offline.hidden = true; } });
  model.send({ type: "hello" });
  const hello = setTimeout(() => { if (!alive) offline.hidden = false; }, 4000);

  function pointIn(ev) {
    const m = svg.getScreenCTM();
    if (!m) return null;
    const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(m.inverse());
    return { x: p.x, y: p.y };
  }

  function edgeAt(ev) {
    if (ev.target.closest && ev.target.closest("g.bpw-node")) return null;  // a bias square is a node
    const s = model.get("structure");
    const p = pointIn(ev);
    if (!p || !s || !s.edges) return null;
    const at = new Map(s.nodes.map((n) => [n.id, n]));
    const id = nearestEdge(p, s.edges, at);
    return id === null ? null : parts.edges.get(id);
  }

  function edgeOfTarget(ev) {
    const g = ev.target.closest && ev.target.closest("g.bpw-edge[data-edge]");
    return g ? parts.edges.get(g.dataset.edge) : null;
  }

  // The selection before the first click of a double-click: editing a weight keeps it, so a
  // student can set w7 = 0 and watch dL/dw1 change.
  let beforeClick = null, firstClicked = null;
  // Arrow keys move the focus from one selectable part to the next (Tab enters the drawing
  // once per part; arrows walk it without leaving it); the focused one is outlined.
  svg.addEventListener("keydown", (ev) => {
    const parts = Array.from(svg.querySelectorAll("[data-param][tabindex]"));
    const i = parts.indexOf(document.activeElement);
    const j = i < 0 ? null : arrowTarget(i, parts.length, ev.key);
    if (j === null) return;
    ev.preventDefault();
    ev.stopPropagation();  // not JupyterLab's notebook shortcuts
    parts[j].focus();
  });
  svg.addEventListener("click", (ev) => {
    // a pointer click: the nearest line; a click with no position (assistive tech, a script)
    // on an edge: that edge
    const part = edgeAt(ev) || edgeOfTarget(ev);
    const clicked = part && part.edge.p ? part.edge.p : null;
    // the second click of a double-click on the same weight edits it, it does not select
    // (two quick clicks on two different weights select the second)
    if (ev.detail > 1 && clicked === firstClicked) return;
    beforeClick = model.get("selected");
    firstClicked = clicked;
    if (clicked) select(clicked);
  });
  svg.addEventListener("dblclick", (ev) => {
    const part = edgeAt(ev);
    if (!part || !model.get("editable") || part.edge.p !== firstClicked) return;
    // the first click's selection may not have come back from Python yet: ask regardless
    if (beforeClick !== null && beforeClick !== part.edge.p) select(beforeClick, true);
    const s = model.get("structure");
    const at = new Map(s.nodes.map((n) => [n.id, n]));
    openEditor(part.edge, at.get(part.edge.s), at.get(part.edge.d));
  });

  // A weight edited where it is drawn: a number field over the edge; Python checks the text.
  const editor = document.createElement("input");
  editor.className = "bpw-weight-editor";
  editor.type = "text";
  editor.setAttribute("inputmode", "decimal");
  editor.style.display = "none";
  root.appendChild(editor);
  let editing = null;

  function openEditor(e, a, b) {
    if (!model.get("editable") || !e.p) return;
    editing = e.p;
    const s = model.get("structure");
    const box = svg.getBoundingClientRect();
    const scale = box.width / s.width;
    const x = e.lx !== undefined ? e.lx : (a.x + b.x) / 2;
    const y = e.ly !== undefined ? e.ly : (a.y + b.y) / 2;
    editor.value = labelOf(read("value_labels"), e.p);
    editor.setAttribute("aria-label", `new value of ${e.p}`);
    editor.style.left = `${x * scale}px`;
    editor.style.top = `${y * scale}px`;
    editor.style.display = "block";
    editor.focus();
    editor.select();
  }

  function closeEditor(send) {
    if (editing === null) return;
    const text = editedText(editor.value);
    if (send && text !== null) model.send({ type: "edit", param: editing, text });
    editing = null;
    editor.style.display = "none";
  }

  editor.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") { ev.preventDefault(); closeEditor(true); }
    if (ev.key === "Escape") { ev.preventDefault(); closeEditor(false); }
    ev.stopPropagation();  // keys typed here are not notebook shortcuts
  });
  editor.addEventListener("blur", () => closeEditor(false));

  function build() {
    const s = model.get("structure");
    svg.replaceChildren();
    parts = { edges: new Map(), nodes: new Map() };
    if (!s || !s.nodes) return;
    svg.setAttribute("viewBox", `0 0 ${s.width} ${s.height}`);
    svg.classList.toggle("bpw-dense", !!s.dense);
    const at = new Map(s.nodes.map((n) => [n.id, n]));
    const defs = el("defs", {}, svg);
    const edgeLayer = el("g", { class: "bpw-edges" }, svg);
    const labelLayer = el("g", { class: "bpw-labels" }, svg);
    const nodeLayer = el("g", { class: "bpw-nodes" }, svg);
    for (const e of s.edges) {
      const a = at.get(e.s), b = at.get(e.d);
      const g = el("g", { class: `bpw-edge bpw-${e.kind}`, "data-edge": e.id }, edgeLayer);
      const line = el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: "bpw-stroke" }, g);
      let label = null, plate = null;
      if (e.p) {
        g.dataset.param = e.p;
        g.setAttribute("tabindex", "0");
        g.setAttribute("role", "button");
        // a wide transparent line on top: a generous target for a finger or a projector pointer
        el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: "bpw-hit" }, g);
        g.addEventListener("keydown", (ev) => {
          if (ev.key === " ") { ev.preventDefault(); select(e.p); }
          // Enter edits the focused weight (the selection stays); Space selects it
          if (ev.key === "Enter") { ev.preventDefault(); if (model.get("editable")) openEditor(e, a, b); else select(e.p); }
        });
        g.addEventListener("mouseenter", () => showTip(e, a, b));
        g.addEventListener("mouseleave", () => { tooltip.style.display = "none"; });
        g.addEventListener("focus", () => showTip(e, a, b));
        g.addEventListener("blur", () => { tooltip.style.display = "none"; });
        if (e.kind === "weight") {
          // Python places labels so that none stack; older structures fall back to a fraction
          const p = e.lx !== undefined ? { x: e.lx, y: e.ly } : labelPoint(a, b);
          const dy = e.lx !== undefined ? 0 : -4;
          // a plate behind the label: a thick line never shows through between its letters
          plate = el("rect", { class: "bpw-label-plate", rx: 2 }, labelLayer);
          label = el("text", { x: p.x, y: p.y + dy, class: "bpw-edge-label", "data-label": e.id }, labelLayer);
        }
      }
      parts.edges.set(e.id, { g, line, label, plate, edge: e });
    }
    for (const n of s.nodes) {
      const g = el("g", { class: `bpw-node bpw-${n.kind}`, "data-node": n.id }, nodeLayer);
      // bias squares stay smaller than the neurons they feed, also in dense diagrams
      const biasR = s.dense ? Math.max(3, s.r * 0.6) : Math.max(8, s.r * 0.55);
      const square = n.kind === "bias" || n.kind === "param" || n.kind === "constant";
      const r = square ? biasR : n.kind === "loss" || n.kind === "end" ? s.r + 2 : s.r;
      // what a click on the node selects: a bias, or any node of a graph drawn node by node
      const param = n.p ?? (n.kind === "bias" ? n.id : null);
      if (square) {
        el("rect", { x: n.x - r, y: n.y - r, width: 2 * r, height: 2 * r, rx: 3 }, g);
      } else if (n.kind === "net") {
        el("circle", { cx: n.x, cy: n.y, r: Math.max(7, r * 0.62) }, g);  // a net input: Σ
      } else {
        el("circle", { cx: n.x, cy: n.y, r }, g);
      }
      if (param) {
        g.dataset.param = param;
        g.setAttribute("tabindex", "0");
        g.setAttribute("role", "button");
        g.setAttribute("aria-label", n.kind === "bias" ? `bias ${n.id}` : `node ${n.id}`);
        g.addEventListener("click", () => select(param));
        g.addEventListener("keydown", (ev) => {
          if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(param); }
        });
      }
      if (n.name) {
        // an operation node shows its symbol inside and its name above, as in CS231n's circuits
        el("text", { x: n.x, y: n.y - r - 4, class: "bpw-node-name" }, g).textContent = n.name;
      }
      let picture = null;
      if (n.kind === "hidden" || n.kind === "output") {
        // what the neuron computes over the input plane, when Python sends a picture
        const clip = `${uid}-clip-${n.id}`.replace(/[^\w-]/g, "_");
        el("circle", { cx: n.x, cy: n.y, r: r - 1 }, el("clipPath", { id: clip }, defs));
        picture = el("image", {
          x: n.x - r, y: n.y - r, width: 2 * r, height: 2 * r, class: "bpw-picture",
          "clip-path": `url(#${clip})`, preserveAspectRatio: "none",
        }, g);
      }
      if (s.dense) {
        // names and values do not fit a dense diagram's small circles: they show on hover
        g.addEventListener("mouseenter", () => showNodeTip(n));
        g.addEventListener("mouseleave", () => { tooltip.style.display = "none"; });
      } else {
        el("title", {}, g).textContent = n.id;
      }
      // Python puts a name beside its node (lx, anchor) where it does not fit inside
      const beside = n.lx !== undefined;
      const text = el("text", { x: beside ? n.lx : n.x, y: n.y, class: beside ? "bpw-node-label bpw-beside" : "bpw-node-label" }, g);
      if (beside) text.setAttribute("text-anchor", n.anchor);
      text.textContent = n.label ?? n.id;
      // an operation's symbol longer than two letters (tanh, relu, gelu) is set smaller to fit
      if (n.name && text.textContent.length > 2) text.classList.add("bpw-long");
      const below = n.kind === "net" ? Math.max(7, r * 0.62) : r;
      // a hanging baseline: the value's top sits just under the node at any text size
      const value = el("text", { x: n.x, y: n.y + below + 3, class: "bpw-node-value" }, g);
      parts.nodes.set(n.id, { g, value, picture });
    }
    mode = "";  // measured again for the new structure
    fitText();
    update();
    drawPictures();
  }

  function fitText() {
    const s = model.get("structure");
    if (!s || !s.width) return;
    const drawn = svg.getBoundingClientRect().width;  // 0 until the output is on the page
    const unit = drawn > 0 ? s.width / drawn : 1;
    // projector mode (a larger --bpw-text-scale) makes labels larger still in drawing units
    const scale = parseFloat(getComputedStyle(root).getPropertyValue("--bpw-text-scale")) || 1;
    if (drawn > 0) root.style.setProperty("--bpw-unit", unit.toFixed(4));
    const next = labelMode(unit * scale, s.label_units);
    if (next !== mode) { mode = next; svg.dataset.labels = mode; update(); }
  }

  function showNodeTip(n) {
    const value = labelOf(model.get("node_labels"), n.id);
    tooltip.textContent = value ? `${n.id} = ${value}` : n.id;
    const s = model.get("structure");
    const scale = svg.getBoundingClientRect().width / s.width;
    tooltip.style.left = `${n.x * scale}px`;
    tooltip.style.top = `${(n.y - s.r) * scale - 28}px`;
    tooltip.style.display = "block";
  }

  function showTip(e, a, b) {
    const text = labelOf(read("value_labels"), e.p);
    const what = e.kind === "bias" ? `bias into ${e.d}` : `${e.s} → ${e.d}`;
    // where weights can be edited, the tip says how: nobody finds a double-click by chance
    const how = model.get("editable") && e.kind === "weight" ? " · double-click or Enter to edit" : "";
    tooltip.textContent = `${e.p} = ${text}  (${what})${how}`;
    const s = model.get("structure");
    const box = svg.getBoundingClientRect();
    const scale = box.width / s.width;
    tooltip.style.left = `${((a.x + b.x) / 2) * scale}px`;
    tooltip.style.top = `${((a.y + b.y) / 2) * scale - 28}px`;
    tooltip.style.display = "block";
  }

  function update() {
    const values = read("values") || {};
    const valueLabels = read("value_labels") || {};
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
      g.classList.toggle("bpw-lit", isLit);
      g.classList.toggle("bpw-dim", lit.size > 0 && !isLit);
      g.classList.toggle("bpw-selected", !!edge.p && edge.p === selected);
      g.classList.toggle("bpw-known", (emphasis.known || []).includes(edge.p));
      if (edge.p) {
        const v = values[edge.p];
        line.setAttribute("stroke-width", edgeWidth(v, maxAbs));
        g.classList.remove("bpw-pos", "bpw-neg");
        g.classList.add(`bpw-${signClass(v)}`);
        const text = labelOf(valueLabels, edge.p);
        g.setAttribute("aria-label", `${edge.p} = ${text}, ${edge.kind === "bias" ? "bias into" : edge.s + " to"} ${edge.d}`);
        g.setAttribute("aria-pressed", String(edge.p === selected));
        if (label) label.textContent = edgeLabel(edge.p, text, showValues && mode !== "names");
        if (label) {
          label.classList.toggle("bpw-lit", isLit || edge.p === selected);
          label.classList.toggle("bpw-chosen", edge.p === selected);
          fitPlate(part.plate, label);
        }
      }
    }
    const revealed = new Set(emphasis.revealed || []);
    for (const [id, { g, value }] of parts.nodes) {
      g.classList.toggle("bpw-lit", litNodes.has(id));
      g.classList.toggle("bpw-selected", id === selected);
      g.classList.toggle("bpw-revealed", revealed.has(id));
      g.classList.toggle("bpw-current", emphasis.current === id);
      value.textContent = labelOf(nodeLabels, id);
    }
    root.dataset.selected = selected;
  }

  function fitPlate(plate, label) {
    if (!plate) return;
    // the label's box once drawn (0 while hidden, or before the diagram is on the page)
    const box = getComputedStyle(label).display === "none" ? null : label.getBBox();
    if (!box || !box.width) { plate.setAttribute("width", 0); return; }
    const pad = 2;
    plate.setAttribute("x", box.x - pad);
    plate.setAttribute("y", box.y - pad / 2);
    plate.setAttribute("width", box.width + 2 * pad);
    plate.setAttribute("height", box.height + pad);
  }

  function drawPictures() {
    const pictures = read("node_pictures") || {};
    for (const [id, { g, picture }] of parts.nodes) {
      if (!picture) continue;
      const url = pictures[id];
      if (url) picture.setAttribute("href", url);
      else picture.removeAttribute("href");
      g.classList.toggle("bpw-has-picture", !!url);
    }
  }

  build();
  model.on("change:structure", build);
  model.on("change:node_pictures", drawPictures);
  model.on("change:edit_message", () => {
    const text = model.get("edit_message");
    if (!text) return;
    tooltip.textContent = text;
    tooltip.classList.add("bpw-edit-error");
    tooltip.style.display = "block";
    setTimeout(() => { tooltip.style.display = "none"; tooltip.classList.remove("bpw-edit-error"); }, 4000);
  });
  for (const name of ["values", "value_labels", "node_labels", "selected", "highlight", "emphasis", "show_values"]) {
    model.on(`change:${name}`, update);
  }
  const stop = () => { clearTimeout(hello); sizer.disconnect(); svg.remove(); };
  stop.update = update;
  stop.drawPictures = drawPictures;
  return stop;
}

export default { render: renderDiagram };
