// TrainingDashboard: one widget. Python owns the state and computes every number and picture;
// this module draws what it is sent and reports what the student does (model.send). The
// network diagram is drawn by renderDiagram (static/diagram.js, joined before this module),
// fed the weights and neuron pictures that arrive here as bytes.
//
// Pictures arrive as bytes (comm buffers), only what changed: the loss curve, the digits, the
// per-layer bars and the map's axes as PNG patches with a box [x, y, width, height, seq,
// whole] (a patch applies on top of frame seq - 1: a page that missed one asks for the whole
// picture again); the decision map's values as a byte (or RGB) per cell painted under the
// axes; the neuron pictures as a byte per cell painted with a colour table.

/** Computed CSS colour -> [r, g, b] or [r, g, b, a] (null for anything else). */
export function parseRgb(css) {
  const m = String(css || "").match(/rgba?\(([^)]+)\)/);
  if (!m) return null;
  const parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
  if (parts.length < 3 || parts.some((v) => Number.isNaN(v))) return null;
  return parts.length > 3 ? parts.slice(0, 4) : parts.slice(0, 3);
}

/** Bytes as a Uint8Array, whatever the host hands over (DataView, ArrayBuffer, typed array). */
export function bytesOf(value) {
  if (!value) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return new Uint8Array(0);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 of bytes, as Python's zlib.crc32 computes it. */
export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Whether a picture's box and bytes belong together (the box's CRC-32 is the bytes') and are
 * a frame not yet taken: the box and its bytes may arrive as two changes (marimo applies
 * binary traits after the others), and each change calls for a look.
 */
export function isNewPair(at, bytes, taken) {
  if (!at || at.length < 6 || at[4] === taken) return false;  // each change calls: one CRC a frame
  const crc = at[6];
  return crc === undefined || crc32(bytes) === crc;
}

/** Float32 values (little-endian, as numpy writes them) by name. */
export function floatsByName(names, value) {
  const bytes = bytesOf(value);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = {};
  (names || []).forEach((name, i) => {
    if (4 * i + 4 <= bytes.byteLength) out[name] = view.getFloat32(4 * i, true);
  });
  return out;
}

/** Cells (one byte each, or three: RGB) as RGBA pixels, through a colour table [r, g, b, ...]. */
export function paintCells(cells, channels, colours, pixels) {
  const n = pixels.length / 4;
  for (let i = 0; i < n; i++) {
    let r, g, b;
    if (channels === 3) { r = cells[3 * i]; g = cells[3 * i + 1]; b = cells[3 * i + 2]; }
    else { const k = 3 * cells[i]; r = colours[k]; g = colours[k + 1]; b = colours[k + 2]; }
    pixels[4 * i] = r; pixels[4 * i + 1] = g; pixels[4 * i + 2] = b; pixels[4 * i + 3] = 255;
  }
  return pixels;
}

function backgroundBehind(el) {
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const rgb = parseRgb(getComputedStyle(node).backgroundColor);
    if (rgb && (rgb.length === 3 || rgb[3] > 0.5)) return rgb.slice(0, 3);
  }
  const dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  return dark ? [17, 17, 17] : [255, 255, 255];
}

function box(cls, parent = null, tag = "div") {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (parent) parent.appendChild(node);
  return node;
}

const ICONS = {  // inline, so no host font is needed (a missing glyph drew an empty box)
  play: "M4 2.5v11l9-5.5z",
  pause: "M3.5 2.5h3v11h-3zM9.5 2.5h3v11h-3z",
  "step-forward": "M3 2.5v11l7-5.5zM11 2.5h2v11h-2z",
  forward: "M1.5 2.5v11l6.5-5.5zM8 2.5v11l6.5-5.5z",
  undo: "M8 3a5 5 0 1 1-4.9 6h2A3 3 0 1 0 8 5v2.5L4 4.2 8 1z",
};

function button(cls, icon, text, parent, onClick) {
  const b = box(`bpw-button ${cls}`, parent, "button");
  b.type = "button";
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  svg.classList.add("bpw-icon");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  svg.appendChild(path);
  const label = box("bpw-button-label", null, "span");
  b.append(svg, label);
  b.setIcon = (name) => { path.setAttribute("d", ICONS[name]); svg.dataset.icon = name; };
  b.setText = (value) => { label.textContent = value; };
  b.setIcon(icon);
  b.setText(text);
  b.addEventListener("click", onClick);
  return b;
}

function labelled(text, control, parent, cls = "bpw-control-label") {
  const label = box(cls, parent, "label");
  label.append(document.createTextNode(text), control);
  return label;
}

/** A canvas fed by a PictureStream: whole frames and patches, applied in order. */
function pictureCanvas(model, name, cls, parent, description, askWhole) {
  const canvas = box(`bpw-picture ${cls}`, parent, "canvas");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", description);
  const ctx = canvas.getContext("2d");
  let shown = 0;
  let taken = 0;
  let chain = Promise.resolve();
  function take() {
    const at = model.get(`${name}_box`);
    const bytes = bytesOf(model.get(`${name}_png`));
    if (!isNewPair(at, bytes, taken)) return;
    const [x, y, w, h, seq, whole] = at;
    taken = seq;
    const blob = new Blob([bytes], { type: "image/png" });
    chain = chain.then(async () => {
      if (!whole && seq !== shown + 1) { askWhole(); return; }
      const bitmap = await createImageBitmap(blob);
      if (canvas.width !== w) canvas.width = w;
      if (canvas.height !== h) canvas.height = h;
      if (whole) ctx.clearRect(0, 0, w, h);
      else ctx.clearRect(x, y, bitmap.width, bitmap.height);
      ctx.drawImage(bitmap, x, y);
      if (bitmap.close) bitmap.close();
      shown = seq;
      canvas.dataset.frame = String(seq);
    }).catch(() => {});
  }
  model.on(`change:${name}_box`, take);
  model.on(`change:${name}_png`, take);
  take();
  return canvas;
}

export function renderTraining({ model, el }) {
  el.classList.add("bpw-training");
  const cleanups = [];
  let askedWhole = false;
  const askWhole = () => {
    if (askedWhole) return;
    askedWhole = true;
    model.send({ type: "resend" });
    setTimeout(() => { askedWhole = false; }, 1000);
  };

  const readout = box("bpw-readout", el);
  const message = box("bpw-message", el);
  message.setAttribute("aria-live", "polite");
  const views = box("bpw-views", el);

  // ---------------------------------------------------------------- the controls
  const controls = box("bpw-controls", views);
  const rows = [0, 1, 2, 3, 4].map(() => box("bpw-row", controls));
  const play = button("bpw-play", "play", "Play", rows[0], () => model.send({ type: "play" }));
  const step = button("bpw-step", "step-forward", "Step", rows[0], () => model.send({ type: "step" }));
  const stepN = button("bpw-step-n", "forward", "Step ×100", rows[0], () => model.send({ type: "step_n" }));
  const stepCount = box("bpw-step-n-count", rows[0], "input");
  stepCount.type = "number"; stepCount.min = "1"; stepCount.step = "1";
  stepCount.setAttribute("aria-label", "N for Step ×N");
  stepCount.addEventListener("change", () => model.send({ type: "step_n_count", n: Number(stepCount.value) }));
  const reset = button("bpw-reset", "undo", "Reset", rows[0], () => model.send({ type: "reset" }));

  const lrSlider = box("bpw-slider bpw-lr-slider", null, "input");
  lrSlider.type = "range";
  labelled("learning rate", lrSlider, rows[1]);
  const lrText = box("bpw-lr-text", rows[1], "input");
  lrText.type = "text";
  lrText.setAttribute("inputmode", "decimal");
  lrText.setAttribute("aria-label", "learning rate (type, then Enter)");
  let lrDirty = false;
  lrSlider.addEventListener("input", () => model.send({ type: "lr", source: "slider", position: Number(lrSlider.value) }));
  lrText.addEventListener("input", () => { lrDirty = true; });
  lrText.addEventListener("keydown", (ev) => {
    ev.stopPropagation();  // keys typed here are not notebook shortcuts
    if (ev.key === "Enter") { ev.preventDefault(); lrDirty = false; model.send({ type: "lr", source: "text", text: lrText.value }); }
  });
  lrText.addEventListener("change", () => {
    if (lrDirty) { lrDirty = false; model.send({ type: "lr", source: "text", text: lrText.value }); }
  });

  const speedSlider = box("bpw-slider bpw-speed-slider", null, "input");
  speedSlider.type = "range";
  labelled("speed", speedSlider, rows[2]);
  const speedLabel = box("bpw-speed-label", rows[2], "span");
  speedSlider.addEventListener("input", () => model.send({ type: "speed", position: Number(speedSlider.value) }));

  const batch = box("bpw-batch", rows[3]);
  batch.setAttribute("role", "radiogroup");
  batch.setAttribute("aria-label", "batch");
  const batchSize = box("bpw-batch-size", null, "input");
  batchSize.type = "number"; batchSize.min = "1"; batchSize.step = "1";
  labelled("size", batchSize, rows[3]);
  const sendBatch = (mode) => model.send({ type: "batch", mode, size: Number(batchSize.value) });
  batchSize.addEventListener("change", () => sendBatch((model.get("controls") || {}).batch_mode));

  const dataset = box("bpw-dataset", null, "select");
  const datasetLabel = labelled("dataset", dataset, rows[4]);
  dataset.addEventListener("change", () => model.send({ type: "dataset", name: dataset.value }));
  const progressLabel = box("bpw-control-label bpw-progress", rows[4], "label");
  const progress = box("", null, "progress");
  progressLabel.append(document.createTextNode("run"), progress);

  function drawControls() {
    const c = model.get("controls") || {};
    const tips = c.tooltips || {};
    play.title = tips.play || ""; step.title = tips.step || ""; stepN.title = tips.step_n || "";
    reset.title = tips.reset || ""; stepCount.title = tips.step_n_count || "";
    lrText.title = tips.lr_text || ""; speedSlider.title = tips.speed || "";
    stepN.setText(`Step ×${c.steps_per_click}`);
    if (document.activeElement !== stepCount) stepCount.value = String(c.steps_per_click);
    const [lrMin, lrMax, lrStep] = c.lr_range || [-4, 2, 0.05];
    Object.assign(lrSlider, { min: lrMin, max: lrMax, step: lrStep });
    lrSlider.value = String(c.lr_slider);
    lrSlider.setAttribute("aria-valuetext", c.lr_text);
    if (!lrDirty) lrText.value = c.lr_text;
    const [sMin, sMax, sStep] = c.speed_range || [0, 4, 0.1];
    Object.assign(speedSlider, { min: sMin, max: sMax, step: sStep });
    speedSlider.value = String(c.speed_slider);
    speedSlider.setAttribute("aria-valuetext", c.speed_label);
    speedLabel.textContent = c.speed_label;
    batch.replaceChildren();
    (c.batch_modes || []).forEach(([label, value, tip], i, modes) => {
      const b = box("bpw-button bpw-batch-option", batch, "button");
      b.type = "button";
      b.textContent = label;
      b.title = tip;
      b.dataset.mode = value;
      b.setAttribute("role", "radio");
      b.setAttribute("aria-checked", String(value === c.batch_mode));
      b.tabIndex = value === c.batch_mode ? 0 : -1;
      b.addEventListener("click", () => sendBatch(value));
      b.addEventListener("keydown", (ev) => {
        const d = ev.key === "ArrowRight" || ev.key === "ArrowDown" ? 1 : ev.key === "ArrowLeft" || ev.key === "ArrowUp" ? -1 : 0;
        if (!d) return;
        ev.preventDefault();
        sendBatch(modes[(i + d + modes.length) % modes.length][1]);
      });
    });
    if (document.activeElement !== batchSize) batchSize.value = String(c.batch_size);
    batchSize.max = String(c.batch_size_max);
    batchSize.disabled = c.batch_mode !== "mini";
    const names = c.datasets || [];
    datasetLabel.style.display = names.length ? "" : "none";
    if (dataset.options.length !== names.length || names.some((n, i) => dataset.options[i].value !== n)) {
      dataset.replaceChildren(...names.map((n) => { const o = document.createElement("option"); o.value = n; o.textContent = n; return o; }));
    }
    dataset.value = c.dataset;
  }
  function drawPlaying() {
    const playing = model.get("playing_now");
    play.setIcon(playing ? "pause" : "play");
    play.setText(playing ? "Pause" : "Play");
    play.classList.toggle("bpw-playing", !!playing);
  }
  function drawProgress() {
    const p = model.get("progress") || [];
    progressLabel.style.display = p.length ? "" : "none";
    if (p.length) { progress.max = p[1]; progress.value = p[0]; }
  }

  // ---------------------------------------------------------------- readout and message
  function drawReadout() {
    const r = model.get("readout") || {};
    const titles = model.get("readout_titles") || {};
    const row = box("bpw-readout-row");
    const status = box("bpw-status", row, "span");
    status.dataset.status = r.status || "paused";
    status.dataset.field = "status";
    status.textContent = r.status_text || "";
    for (const [key, label, value] of r.items || []) {
      const item = box("bpw-readout-item", row, "span");
      item.title = (titles[key] || "").replace("{at}", r.at || "");
      box("bpw-label", item, "span").textContent = label;
      item.append(" ");
      const b = box("", item, "b");
      b.dataset.field = key;
      b.textContent = value;
    }
    readout.replaceChildren(row);
  }
  function drawMessage() {
    const m = model.get("message") || {};
    if (!m.text) { message.replaceChildren(); return; }
    const msg = box("bpw-msg");
    msg.dataset.kind = m.kind;
    if (m.details) {
      box("bpw-msg-lead", msg).textContent = m.text;
      const details = box("bpw-msg-details", msg, "details");
      box("", details, "summary").textContent = "details";
      box("", details).textContent = m.details;
    } else {
      msg.textContent = m.text;
    }
    message.replaceChildren(msg);
  }

  // ---------------------------------------------------------------- the pictures
  const shown = model.get("views") || [];
  pictureCanvas(model, "curve", "bpw-loss-curve", views, "loss curve", askWhole);
  if (shown.includes("map")) {
    const map = box("bpw-map", views);
    const cells = box("bpw-map-cells", map, "canvas");
    const boundary = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    boundary.classList.add("bpw-map-boundary");
    boundary.setAttribute("aria-hidden", "true");
    boundary.setAttribute("preserveAspectRatio", "none");
    map.appendChild(boundary);
    pictureCanvas(model, "map", "bpw-heatmap", map, "decision map with the data points", askWhole);
    const drawLayout = () => {
      const l = model.get("map_layout") || {};
      if (!l.size) return;
      const [W, H] = l.size, [x, y, w, h] = l.box;
      Object.assign(cells.style, { left: `${100 * x / W}%`, top: `${100 * y / H}%`, width: `${100 * w / W}%`, height: `${100 * h / H}%` });
      boundary.setAttribute("viewBox", `0 0 ${W} ${H}`);
      drawCells();
    };
    const drawCells = () => {
      const l = model.get("map_layout") || {};
      const data = bytesOf(model.get("map_cells"));
      if (!l.r || data.length < l.r * l.r * l.channels) return;
      if (cells.width !== l.r) { cells.width = l.r; cells.height = l.r; }
      const ctx = cells.getContext("2d");
      const image = ctx.createImageData(l.r, l.r);
      paintCells(data, l.channels, model.get("map_colours") || [], image.data);
      ctx.putImageData(image, 0, 0);
    };
    const drawBoundary = () => {
      const lines = model.get("map_boundary") || [];
      boundary.replaceChildren(...lines.map((pts) => {
        const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
        const pairs = [];
        for (let i = 0; i + 1 < pts.length; i += 2) pairs.push(`${pts[i]},${pts[i + 1]}`);
        line.setAttribute("points", pairs.join(" "));
        return line;
      }));
    };
    drawLayout(); drawBoundary();
    model.on("change:map_layout", drawLayout);
    model.on("change:map_cells", drawCells);
    model.on("change:map_colours", drawCells);
    model.on("change:map_boundary", drawBoundary);
  }
  if (shown.includes("digits")) {
    pictureCanvas(model, "digits", "bpw-digits", views, "digit images with the predicted digit over each", askWhole);
  }
  if (shown.includes("diagram")) {
    const host = box("bpw-training-diagram", views);
    let values = {}, labels = {}, pictures = {};
    const decodeValues = () => { values = floatsByName(model.get("param_names"), model.get("param_values")); };
    const decodeLabels = () => {
      const names = model.get("param_names") || [];
      const texts = (model.get("param_labels") || "").split("\n");
      labels = {};
      names.forEach((n, i) => { if (texts[i] !== undefined) labels[n] = texts[i]; });
    };
    const scratch = document.createElement("canvas");
    let pictureChain = Promise.resolve();
    const decodePictures = () => {
      // one greyscale PNG, a tile per neuron one under another; grey k painted in colour k
      const names = model.get("picture_names") || [];
      const data = bytesOf(model.get("pictures_png"));
      if (!names.length || !data.length) { pictures = {}; return pictureChain; }
      const blob = new Blob([data], { type: "image/png" });
      pictureChain = pictureChain.then(async () => {
        const atlas = await createImageBitmap(blob);
        const r = atlas.width, height = atlas.height;
        scratch.width = r; scratch.height = height;
        const ctx = scratch.getContext("2d", { willReadFrequently: true });
        ctx.drawImage(atlas, 0, 0);
        if (atlas.close) atlas.close();
        const grey = ctx.getImageData(0, 0, r, height).data;
        const colours = model.get("picture_colours") || [];
        const tile = document.createElement("canvas");
        tile.width = r; tile.height = r;
        const tctx = tile.getContext("2d");
        const next = {};
        names.forEach((name, i) => {
          const image = tctx.createImageData(r, r);
          const cells = new Uint8Array(r * r);
          for (let k = 0; k < r * r; k++) cells[k] = grey[4 * (i * r * r + k)];
          paintCells(cells, 1, colours, image.data);
          tctx.putImageData(image, 0, 0);
          next[name] = tile.toDataURL();
        });
        pictures = next;
      }).catch((err) => console.error("bpw pictures", err));
      return pictureChain;
    };
    decodeValues(); decodeLabels();
    const diagram = renderDiagram({
      model, el: host,
      live: { values: () => values, value_labels: () => labels, node_pictures: () => pictures },
    });
    model.on("change:param_values", () => { decodeValues(); diagram.update(); });
    model.on("change:param_labels", () => { decodeLabels(); diagram.update(); });
    model.on("change:pictures_png", () => { decodePictures().then(() => diagram.drawPictures()); });
    decodePictures().then(() => diagram.drawPictures());
    cleanups.push(diagram);
  }
  if (shown.includes("layers")) {
    const layers = box("bpw-layers-view", views);
    pictureCanvas(model, "layers", "bpw-layers", layers, "per layer: the size of the weights and of their gradient", askWhole);
    const note = box("bpw-layers-note", layers);
    const drawNote = () => { note.innerHTML = model.get("layers_note") || ""; };
    drawNote();
    model.on("change:layers_note", drawNote);
  }
  // a page that opens the widget mid-run (or a second view) has patches only: ask once
  for (const name of ["curve", "map", "digits", "layers"]) {
    const at = model.get(`${name}_box`);
    if (at && at.length >= 6 && !at[5]) { askWhole(); break; }
  }

  // ---------------------------------------------------------------- the page's colours
  let reported = "";
  const report = () => {
    const fg = parseRgb(getComputedStyle(el).color);
    if (!fg) return;
    const jp = document.body.dataset.jpThemeLight;
    const theme = {
      fg,
      bg: backgroundBehind(el),
      dark: jp !== undefined ? jp === "false" : getComputedStyle(el).getPropertyValue("--bpw-dark").trim() === "1",
    };
    const text = JSON.stringify(theme);
    if (text !== reported) { reported = text; model.send({ type: "theme", theme }); }
  };
  requestAnimationFrame(report);  // after layout: the element is on the page once render returns
  const watcher = new MutationObserver(() => requestAnimationFrame(report));
  watcher.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-light", "data-jp-theme-name", "class", "data-vscode-theme-kind"] });
  watcher.observe(document.documentElement, { attributes: true, attributeFilter: ["class", "data-theme"] });
  const media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  const onMedia = () => requestAnimationFrame(report);
  if (media && media.addEventListener) media.addEventListener("change", onMedia);

  drawControls(); drawPlaying(); drawProgress(); drawReadout(); drawMessage();
  model.on("change:controls", drawControls);
  model.on("change:playing_now", drawPlaying);
  model.on("change:progress", drawProgress);
  model.on("change:readout", drawReadout);
  model.on("change:readout_titles", drawReadout);
  model.on("change:message", drawMessage);
  return () => {
    watcher.disconnect();
    if (media && media.removeEventListener) media.removeEventListener("change", onMedia);
    for (const stop of cleanups) if (typeof stop === "function") stop();
  };
}

export default { render: renderTraining };
