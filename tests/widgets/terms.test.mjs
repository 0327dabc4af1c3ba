// Pure helper of static/terms.js, run with `node --test` (see test_diagram_js.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { activeIndex } from "../../backprop_widgets/static/terms.js";

test("a pinned path stays lit while the pointer moves over other terms", () => {
  assert.equal(activeIndex(1, 0), 1);
  assert.equal(activeIndex(-1, 0), 0);
  assert.equal(activeIndex(-1, -1), -1);
});
