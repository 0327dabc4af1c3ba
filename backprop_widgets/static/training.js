// TrainingDashboard's hidden style widget: carries training.css, and reports the page's
// colours so Python can draw the matplotlib frames in them (it computes nothing else).
// Sent as numbers: the computed text colour of the dashboard, the first opaque background
// behind it, and JupyterLab's light/dark flag. Re-sent when the theme changes.

export function parseRgb(css) {
  const m = String(css || "").match(/rgba?\(([^)]+)\)/);
  if (!m) return null;
  const parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
  if (parts.length < 3 || parts.some((v) => Number.isNaN(v))) return null;
  return parts.length > 3 ? parts.slice(0, 4) : parts.slice(0, 3);
}

function backgroundBehind(el) {
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const rgb = parseRgb(getComputedStyle(node).backgroundColor);
    if (rgb && (rgb.length === 3 || rgb[3] > 0.5)) return rgb.slice(0, 3);
  }
  return [255, 255, 255];
}

function render({ model, el }) {
  const report = () => {
    const host = el.closest(".bpw-training") || el;
    const fg = parseRgb(getComputedStyle(host).color);
    if (!fg) return;
    const theme = {
      fg,
      bg: backgroundBehind(host),
      dark: document.body.dataset.jpThemeLight === "false",
    };
    if (JSON.stringify(theme) !== JSON.stringify(model.get("theme"))) {
      model.set("theme", theme);
      model.save_changes();
    }
  };
  // after layout: the element is attached to the page only once render returns
  requestAnimationFrame(report);
  const watcher = new MutationObserver(() => requestAnimationFrame(report));
  watcher.observe(document.body, {
    attributes: true,
    attributeFilter: ["data-jp-theme-light", "data-jp-theme-name"],
  });
  return () => watcher.disconnect();
}

export default { render };
