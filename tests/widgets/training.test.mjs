// Pure helper of static/training.js, run with `node --test` (see test_training_js.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseRgb } from "../../backprop_widgets/static/training.js";

test("computed CSS colours become the numbers Python composites", () => {
  assert.deepEqual(parseRgb("rgb(17, 17, 17)"), [17, 17, 17]);
  assert.deepEqual(parseRgb("rgba(255, 255, 255, 0.87)"), [255, 255, 255, 0.87]);
  assert.deepEqual(parseRgb("rgb(255 255 255 / 0.5)"), [255, 255, 255, 0.5]);
  assert.equal(parseRgb("transparent"), null);
  assert.equal(parseRgb(""), null);
});
