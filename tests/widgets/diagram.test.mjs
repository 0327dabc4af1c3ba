// Pure drawing helpers of static/diagram.js, run with `node --test` (see test_diagram_js.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { edgeLabel, edgeWidth, labelOf, labelPoint, signClass } from "../../backprop_widgets/static/diagram.js";

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

test("labels are printed as Python wrote them, never reformatted", () => {
  const labels = { w5: "0.4", w1: "-1.2e-05", b1: "0" };
  assert.equal(labelOf(labels, "w1"), "-1.2e-05");
  assert.equal(labelOf(labels, "b1"), "0");
  assert.equal(labelOf(labels, "w9"), "");
  assert.equal(labelOf(undefined, "w1"), "");
  assert.equal(edgeLabel("w5", labelOf(labels, "w5"), true), "w5=0.4");
  assert.equal(edgeLabel("w5", labelOf(labels, "w5"), false), "w5");
  assert.equal(edgeLabel("w9", labelOf(labels, "w9"), true), "w9");
});

test("a weight label sits part-way from its source", () => {
  assert.deepEqual(labelPoint({ x: 0, y: 0 }, { x: 100, y: 50 }, 0.2), { x: 20, y: 10 });
});
