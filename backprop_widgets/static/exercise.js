// GradientExercise's Enter key: report Enter in this exercise's answer box, with the text.
//
// The answer box is a standard ipywidgets Text. Its own Enter message carries no text and can
// overtake the last keystrokes' value update, which ipywidgets holds back while the kernel is
// busy; so this view (it draws nothing) sends the text itself:
//   {event: "submit", value}  on Enter in the box: Python checks exactly this text;
//   {event: "typed", value}   when the Check button is pressed, just before its click message.
// Python owns everything else: what was typed, the verdict, the hints.

/** Enter alone (not Shift+Enter, not while an input method is composing a character). */
export function isPlainEnter(e) {
  return (
    e.key === "Enter" && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey && !e.isComposing
  );
}

function render({ model, el }) {
  // The exercise this view belongs to, if the event happened inside it.
  const exerciseOf = (target) => {
    const root = el.closest(".bpw-exercise");
    return root && target instanceof Element && root.contains(target) ? root : null;
  };
  const onKey = (e) => {
    if (!isPlainEnter(e) || !exerciseOf(e.target) || !e.target.closest(".bpw-answer")) return;
    e.preventDefault();
    model.send({ event: "submit", value: e.target.value });
  };
  const onPress = (e) => {
    const root = exerciseOf(e.target);
    if (!root || !e.target.closest(".bpw-check")) return;
    if (e.type === "keydown" && e.key !== "Enter" && e.key !== " ") return;
    const box = root.querySelector(".bpw-answer input");
    if (box) model.send({ event: "typed", value: box.value });
  };
  // Capture phase: the Text view stops keydown from bubbling past itself.
  document.addEventListener("keydown", onKey, true);
  document.addEventListener("pointerdown", onPress, true);
  document.addEventListener("keydown", onPress, true);
  return () => {
    document.removeEventListener("keydown", onKey, true);
    document.removeEventListener("pointerdown", onPress, true);
    document.removeEventListener("keydown", onPress, true);
  };
}

export default { render };
