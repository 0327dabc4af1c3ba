// GradientExercise: one widget. The diagram is drawn by renderDiagram (diagram.js, joined
// before this module by Python); this module draws the prompt, the answer box, Check, Hint,
// Show solution, the "show weight values" checkbox and the panels. Everything shown comes from
// Python as HTML (formulas as MathML); this module reports what is typed and pressed:
//   the box's text as `answer`, on every input event (Python answers with `preview`);
//   {type: "check", value}  on Enter in the box or Check: the text travels with the check, so
//                           a state update still held back by the front end cannot be missed;
//   {type: "hint"}, {type: "solution"}  the help buttons (Python decides what they show).
// Keys are listened for inside this widget only.

/** Enter alone (not Shift+Enter, not while an input method is composing a character). */
export function isPlainEnter(e) {
  return (
    e.key === "Enter" && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey && !e.isComposing
  );
}

/** Whether a value of `answer` from Python should replace the box's text: not the text it
 * holds, and not, while the student types, an echo of something typed a moment ago. */
export function takesAnswer(value, boxText, typing, typedRecently) {
  if (value === boxText) return false;
  return !(typing && typedRecently.has(value));
}

function part(cls, parent, tag = "div") {
  const node = document.createElement(tag);
  node.className = cls;
  parent.appendChild(node);
  return node;
}

function button(text, cls, parent, onClick) {
  const b = part(`bpw-button ${cls}`, parent, "button");
  b.type = "button";
  b.textContent = text;
  b.addEventListener("click", onClick);
  return b;
}

export function renderExercise({ model, el }) {
  el.classList.add("bpw-exercise");
  const prompt = part("bpw-prompt", el);

  const figure = part("bpw-figure", el);
  const diagramHost = part("bpw-diagram-host", figure);
  const stopDiagram = renderDiagram({ model, el: diagramHost });
  const valuesLabel = part("bpw-show-values", figure, "label");
  const valuesBox = document.createElement("input");
  valuesBox.type = "checkbox";
  valuesLabel.append(valuesBox, document.createTextNode(" show weight values"));
  valuesBox.addEventListener("change", () => {
    model.set("show_values", valuesBox.checked);
    model.save_changes();
  });

  const row = part("bpw-answer-row", el);
  const box = part("bpw-answer", row, "input");
  box.type = "text";
  box.spellcheck = false;
  box.autocomplete = "off";
  box.setAttribute("autocapitalize", "off");
  box.setAttribute("autocorrect", "off");
  const check = button("Check", "bpw-check", row, () => sendCheck());
  check.title = "check this answer (or Enter)";

  const preview = part("bpw-preview", el);
  const feedback = part("bpw-feedback", el);
  feedback.setAttribute("role", "status");
  feedback.setAttribute("aria-live", "polite");
  const status = part("bpw-status", el);
  status.setAttribute("aria-live", "polite");
  const help = part("bpw-help-row", el);
  const hint = button("", "bpw-hint", help, () => model.send({ type: "hint" }));
  hint.title = "one more hint";
  const solution = button("", "bpw-solution", help, () => model.send({ type: "solution" }));
  solution.title = "show the whole chain rule; counts as giving up";
  const hints = part("bpw-hint-panel", el);
  hints.setAttribute("aria-live", "polite");
  const solutionPanel = part("bpw-solution-panel", el);
  solutionPanel.id = `bpw-solution-${Math.random().toString(36).slice(2, 9)}`;
  solution.setAttribute("aria-controls", solutionPanel.id);

  // What was typed in this box lately: Python's echo of an older keystroke never overwrites
  // newer text while the student is typing.
  let typedRecently = new Set();
  let solutionShown = false; // the solution panel's text is not empty
  function sendCheck() {
    model.send({ type: "check", value: box.value });
  }
  box.addEventListener("input", () => {
    typedRecently.add(box.value);
    if (typedRecently.size > 200) typedRecently = new Set([box.value]);
    model.set("answer", box.value);
    model.save_changes();
  });
  box.addEventListener("blur", () => { typedRecently = new Set(); });
  box.addEventListener("keydown", (e) => {
    if (isPlainEnter(e)) {
      e.preventDefault();
      sendCheck();
    }
    e.stopPropagation(); // typed text is not the notebook's shortcuts
  });
  box.addEventListener("keypress", (e) => e.stopPropagation());
  // Enter and Space on a control (a button, the checkbox, a weight) act on it, not on the
  // notebook around it (JupyterLab reads its shortcuts from keys bubbling to the document)
  el.addEventListener("keydown", (e) => {
    if ((e.key === "Enter" || e.key === " ") && e.target !== el) e.stopPropagation();
  });

  function show(node, html) {
    if (node.innerHTML !== html) node.innerHTML = html;
    node.style.display = html ? "" : "none";
  }

  function drawAnswer() {
    const value = model.get("answer") || "";
    if (takesAnswer(value, box.value, document.activeElement === box, typedRecently)) box.value = value;
  }
  function drawLabels() {
    box.placeholder = model.get("placeholder") || "";
    box.setAttribute("aria-label", model.get("answer_label") || "your answer");
  }
  function drawFigure() {
    figure.style.display = model.get("show_diagram") ? "" : "none";
    valuesBox.checked = !!model.get("show_values");
    // a graph drawn node by node has no weight lines to label: no checkbox for them
    const edges = (model.get("structure") || {}).edges || [];
    valuesLabel.style.display = edges.some((e) => e.kind === "weight") ? "" : "none";
  }
  function drawButtons() {
    const hintText = model.get("hint_label") || "";
    hint.textContent = hintText;
    hint.style.display = hintText ? "" : "none";
    hint.disabled = !!model.get("hint_disabled");
    const solutionText = model.get("solution_label") || "";
    solution.textContent = solutionText;
    solution.style.display = solutionText ? "" : "none";
    solution.setAttribute("aria-expanded", String(solutionShown));
    help.style.display = hintText || solutionText ? "" : "none";
  }
  const drawPrompt = () => show(prompt, model.get("prompt") || "");
  const drawPreview = () => show(preview, model.get("preview") || "");
  const drawFeedback = () => {
    show(feedback, model.get("feedback") || "");
    feedback.classList.toggle("bpw-stale", !!model.get("stale"));
  };
  const drawStatus = () => show(status, model.get("status") || "");
  // the hint and solution panels (formulas) arrive deflated (static/deflated.js)
  const stopPanels = [
    followDeflated(model, "hint_panel", (html) => show(hints, html)),
    followDeflated(model, "solution_panel", (html) => {
      solutionShown = !!html;
      show(solutionPanel, html);
      drawButtons();
    }),
  ];

  const views = {
    answer: drawAnswer, placeholder: drawLabels, answer_label: drawLabels,
    show_diagram: drawFigure, show_values: drawFigure, structure: drawFigure, prompt: drawPrompt, preview: drawPreview,
    feedback: drawFeedback, stale: drawFeedback, status: drawStatus,
    hint_label: drawButtons, hint_disabled: drawButtons,
    solution_label: drawButtons,
  };
  box.value = model.get("answer") || "";
  for (const [name, draw] of Object.entries(views)) {
    draw();
    model.on(`change:${name}`, draw);
  }
  return () => {
    for (const [name, draw] of Object.entries(views)) model.off(`change:${name}`, draw);
    for (const stop of stopPanels) stop();
    if (typeof stopDiagram === "function") stopDiagram();
  };
}

export default { render: renderExercise };
