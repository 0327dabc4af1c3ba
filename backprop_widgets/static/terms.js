// PathTerms: one chip per product of the chain-rule sum. Hovering a chip (or focusing it)
// reports its index as `active`, so Python lights that path on the diagram; clicking pins it.
// Labels and values come from Python; nothing is computed here.

/** The index to report: a pinned chip wins over the one under the pointer. */
export function activeIndex(pinned, hovered) {
  return pinned >= 0 ? pinned : hovered;
}

function render({ model, el }) {
  el.classList.add("bpw-terms");
  const list = document.createElement("div");
  list.setAttribute("role", "list");
  el.appendChild(list);
  let hovered = -1;

  function report() {
    const index = activeIndex(model.get("pinned"), hovered);
    if (index !== model.get("active")) {
      model.set("active", index);
      model.save_changes();
    }
  }

  function draw() {
    list.replaceChildren();
    const terms = model.get("terms") || [];
    const pinned = model.get("pinned");
    terms.forEach((term, i) => {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "bpw-term" + (i === pinned ? " pinned" : "") + (i === model.get("active") ? " active" : "");
      chip.dataset.index = String(i);
      chip.setAttribute("role", "listitem");
      chip.setAttribute("aria-pressed", String(i === pinned));
      chip.title = "hover to light this path on the diagram; click to keep it lit";
      const label = document.createElement("span");
      label.className = "bpw-term-label";
      label.textContent = term.label;
      const value = document.createElement("span");
      value.className = "bpw-term-value";
      value.textContent = term.value;
      chip.append(label, value);
      chip.addEventListener("mouseenter", () => { hovered = i; report(); });
      chip.addEventListener("mouseleave", () => { hovered = -1; report(); });
      chip.addEventListener("focus", () => { hovered = i; report(); });
      chip.addEventListener("blur", () => { hovered = -1; report(); });
      chip.addEventListener("click", () => {
        model.set("pinned", model.get("pinned") === i ? -1 : i);
        model.save_changes();
        report();
      });
      list.appendChild(chip);
    });
    el.style.display = terms.length ? "" : "none";
  }

  draw();
  model.on("change:terms", draw);
  model.on("change:pinned", draw);
  model.on("change:active", () => {
    for (const chip of list.children) {
      chip.classList.toggle("active", Number(chip.dataset.index) === model.get("active"));
    }
  });
}

export default { render };
