// PathTerms: one chip per product of the chain-rule sum. Hovering a chip (or focusing it)
// reports its index as `active`, so Python lights that path on the diagram; clicking pins it.
// Labels and values come from Python; nothing is computed here.

/** The index to report: a pinned chip wins over the one under the pointer. */
export function activeIndex(pinned, hovered) {
  return pinned >= 0 ? pinned : hovered;
}

/** How many chips to draw: all once expanded, else the first `openCount` (0: all), and
 * always the pinned one, so a pinned path never hides behind "+N more". */
export function visibleCount(total, openCount, expanded, pinned) {
  if (expanded || openCount <= 0 || openCount >= total) return total;
  return Math.max(openCount, pinned + 1);
}

export function renderTerms({ model, el }) {
  el.classList.add("bpw-terms");
  const list = document.createElement("ul");
  el.appendChild(list);
  let hovered = -1;
  let expanded = false;  // the reader opened "+N more": a view's own state, not the model's

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
    const shown = visibleCount(terms.length, model.get("open_count"), expanded, pinned);
    terms.slice(0, shown).forEach((term, i) => {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "bpw-term" + (i === pinned ? " pinned" : "") + (i === model.get("active") ? " active" : "");
      chip.dataset.index = String(i);
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
      const item = document.createElement("li");
      item.appendChild(chip);
      list.appendChild(item);
    });
    if (shown < terms.length) {
      const more = document.createElement("button");
      more.type = "button";
      more.className = "bpw-term bpw-more-terms";
      more.textContent = `+${terms.length - shown} more paths`;
      more.addEventListener("click", () => { expanded = true; draw(); });
      const item = document.createElement("li");
      item.appendChild(more);
      list.appendChild(item);
    }
    el.style.display = terms.length ? "" : "none";
  }

  draw();
  model.on("change:terms", draw);
  model.on("change:pinned", draw);
  model.on("change:open_count", draw);
  model.on("change:active", () => {
    for (const chip of list.querySelectorAll(".bpw-term")) {
      chip.classList.toggle("active", Number(chip.dataset.index) === model.get("active"));
    }
  });
}

export default { render: renderTerms };
