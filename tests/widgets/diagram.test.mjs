// Pure drawing helpers of static/diagram.js, run with `node --test` (see test_diagram_js.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { edgeWidth, formatValue, labelPoint, signClass } from "../../backprop_widgets/static/diagram.js";

test("larger |w| draws a thicker line, capped at the largest weight", () => {
  assert.ok(edgeWidth(0.5, 1) > edgeWidth(0.1, 1));
  assert.equal(edgeWidth(-1, 1), edgeWidth(1, 1));
  assert.equal(edgeWidth(3, 1), edgeWidth(1, 1));
  assert.equal(edgeWidth(Number.NaN, 1), 1.5);
});

test("sign picks the colour class", () => {
  assert.equal(signClass(-0.2), "neg");
  assert.equal(signClass(0.2), "pos");
});

test("labels show 4 significant digits", () => {
  assert.equal(formatValue(0.15), "0.15");
  assert.equal(formatValue(0.593269992), "0.5933");
  assert.equal(formatValue(0.000438568), "4.39e-4");
  assert.equal(formatValue(undefined), "");
});

test("a weight label sits part-way from its source", () => {
  assert.deepEqual(labelPoint({ x: 0, y: 0 }, { x: 100, y: 50 }, 0.2), { x: 20, y: 10 });
});
