// Pure helper of static/terms.js, run with `node --test` (see test_diagram_js.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { activeIndex, visibleCount } from "../../backprop_widgets/static/terms.js";

test("a pinned path stays lit while the pointer moves over other terms", () => {
  assert.equal(activeIndex(1, 0), 1);
  assert.equal(activeIndex(-1, 0), 0);
  assert.equal(activeIndex(-1, -1), -1);
});

test("long lists show the first chips, all once expanded, and never hide the pinned one", () => {
  assert.equal(visibleCount(16, 4, false, -1), 4);
  assert.equal(visibleCount(16, 4, true, -1), 16);
  assert.equal(visibleCount(16, 4, false, 9), 10);
  assert.equal(visibleCount(3, 4, false, -1), 3);
  assert.equal(visibleCount(16, 0, false, -1), 16);
});
