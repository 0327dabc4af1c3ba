// Pure helpers of static/exercise.js, run with `node --test` (see test_exercise.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { isPlainEnter, takesAnswer } from "../../backprop_widgets/static/exercise.js";

const key = (k, extra = {}) => ({
  key: k, shiftKey: false, ctrlKey: false, altKey: false, metaKey: false, isComposing: false, ...extra,
});

test("Enter alone checks; Shift+Enter, a composing input method and other keys do not", () => {
  assert.equal(isPlainEnter(key("Enter")), true);
  assert.equal(isPlainEnter(key("Enter", { shiftKey: true })), false);
  assert.equal(isPlainEnter(key("Enter", { ctrlKey: true })), false);
  assert.equal(isPlainEnter(key("Enter", { isComposing: true })), false);
  assert.equal(isPlainEnter(key("a")), false);
});

test("Python's answer fills the box, but never overwrites newer typing with an echo", () => {
  const typed = new Set(["d", "dh", "dh1"]);
  assert.equal(takesAnswer("0.5", "", false, new Set()), true); // ex.check("0.5") from Python
  assert.equal(takesAnswer("dh1", "dh1", true, typed), false); // already there
  assert.equal(takesAnswer("dh", "dh1", true, typed), false); // an echo of an older keystroke
  assert.equal(takesAnswer("dh", "dh1", false, new Set()), true); // not typing: Python's text
  assert.equal(takesAnswer("0.5", "dh1", true, typed), true); // something new from Python
});
