// ChainRuleExplorer: one widget. The diagram (renderDiagram) and the chips of the sum
// (renderTerms) are drawn by the modules Python joins before this one; this module lays them
// out with the formula, the level switch and the backward-pass steps. Everything shown comes
// from Python (the formulas as MathML); clicks, keys and typed weights are reported back.

/** The CSS max-width that keeps a diagram of this aspect at most `share` of the window high. */
export function diagramMaxWidth(aspect, share = "45vh") {
  return Number.isFinite(aspect) && aspect > 0 ? `min(100%, calc(${share} * ${aspect.toFixed(3)}))` : "100%";
}

function box(cls, parent = null, tag = "div") {
  const node = document.createElement(tag);
  node.className = cls;
  if (parent) parent.appendChild(node);
  return node;
}

function button(text, cls, parent, onClick) {
  const b = box(`bpw-button ${cls}`, parent, "button");
  b.type = "button";
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}

export function renderExplorer({ model, el }) {
  el.classList.add("bpw-explorer");
  const figure = box("bpw-explorer-figure", el);
  const formula = box("bpw-explorer-formula", el);

  // the level switch (a radio group: arrow keys move inside it) and the values checkbox
  const controls = box("bpw-explorer-controls", figure);
  const levels = box("bpw-level", controls);
  levels.setAttribute("role", "radiogroup");
  levels.setAttribute("aria-label", "Nodes");
  const valuesLabel = box("bpw-show-values", controls, "label");
  const valuesBox = document.createElement("input");
  valuesBox.type = "checkbox";
  valuesLabel.append(valuesBox, document.createTextNode(" show weight values"));
  valuesBox.addEventListener("change", () => { model.set("show_values", valuesBox.checked); model.save_changes(); });

  function setLevel(value) {
    if (value === model.get("level")) return;
    model.set("level", value);
    model.save_changes();
  }

  function drawLevels() {
    levels.replaceChildren();
    const options = model.get("levels") || [];
    controls.classList.toggle("bpw-single-level", options.length < 2);
    const current = model.get("level");
    options.forEach(([value, label], i) => {
      const b = button(label, "bpw-level-option", levels, () => setLevel(value));
      b.setAttribute("role", "radio");
      b.setAttribute("aria-checked", String(value === current));
      b.tabIndex = value === current ? 0 : -1;
      b.dataset.level = value;
      b.addEventListener("keydown", (ev) => {
        const step = ev.key === "ArrowRight" || ev.key === "ArrowDown" ? 1 : ev.key === "ArrowLeft" || ev.key === "ArrowUp" ? -1 : 0;
        if (!step) return;
        ev.preventDefault();
        const next = options[(i + step + options.length) % options.length][0];
        setLevel(next);
      });
    });
    valuesLabel.style.display = model.get("has_weights") ? "" : "none";
    legend.style.display = model.get("has_weights") ? "" : "none";
    valuesBox.checked = !!model.get("show_values");
  }

  const diagramHost = box("bpw-diagram-host", figure);
  const stopDiagram = renderDiagram({ model, el: diagramHost });
  // what each mark on the lines means: three meanings, three marks, said once
  const legend = box("bpw-legend", figure);
  legend.innerHTML = '<span class="bpw-key bpw-key-sign"></span>a weight\'s sign (blue +, orange −)'
    + '<span class="bpw-key bpw-key-path"></span>the selected weight\'s paths'
    + '<span class="bpw-key bpw-key-known"></span>gradient known (after Step)';
  const fit = () => { diagramHost.style.maxWidth = diagramMaxWidth(model.get("diagram_aspect")); };

  // Step never moves the diagram: what a step adds grows below the buttons
  const steps = box("bpw-step-controls", figure);
  const back = button("◀ Back", "bpw-back", steps, () => model.send({ type: "step", action: "back" }));
  const step = button("Step ▶", "bpw-step", steps, () => model.send({ type: "step", action: "step" }));
  step.title = "reveal the next node of the backward pass";
  button("Reset", "bpw-reset", steps, () => model.send({ type: "step", action: "reset" }));
  const stepPanel = box("bpw-step-panel", figure);
  stepPanel.setAttribute("aria-live", "polite");

  const termsHost = box("bpw-paths", formula);
  renderTerms({ model, el: termsHost });
  const panel = box("bpw-panel", formula);

  function drawSteps() {
    back.disabled = !model.get("can_back");
    step.disabled = !model.get("can_step");
  }
  // the two panels of formulas arrive deflated (static/deflated.js)
  const stopPanels = [
    followDeflated(model, "step_panel", (html) => { stepPanel.innerHTML = html; }),
    followDeflated(model, "panel", (html) => { panel.innerHTML = html; }),
  ];

  drawLevels(); fit(); drawSteps();
  model.on("change:levels", drawLevels);
  model.on("change:level", drawLevels);
  model.on("change:show_values", drawLevels);
  model.on("change:diagram_aspect", fit);
  for (const name of ["can_step", "can_back"]) model.on(`change:${name}`, drawSteps);
  return () => {
    for (const stop of stopPanels) stop();
    if (typeof stopDiagram === "function") stopDiagram();
  };
}

export default { render: renderExplorer };
