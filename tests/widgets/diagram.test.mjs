// Pure drawing helpers of static/diagram.js, run with `node --test` (see test_diagram_js.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  arrowTarget, edgeLabel, edgeWidth, editedText, labelMode, labelOf, labelPoint, nearestEdge, segmentDistance,
  signClass,
} from "../../backprop_widgets/static/diagram.js";

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

test("a click picks the line nearest the pointer, even where two lines cross", () => {
  // the 2-2-2 net: w6 (h2 -> o1) and w7 (h1 -> o2) cross in the middle
  const at = new Map([
    ["h1", { x: 0, y: 0 }], ["h2", { x: 0, y: 100 }], ["o1", { x: 200, y: 0 }], ["o2", { x: 200, y: 100 }],
  ]);
  const edges = [
    { id: "w6", s: "h2", d: "o1", p: "w6" }, { id: "w7", s: "h1", d: "o2", p: "w7" },
    { id: "o1>L", s: "o1", d: "o2" },
  ];
  assert.equal(nearestEdge({ x: 80, y: 62 }, edges, at), "w6");  // just off w6, near the crossing
  assert.equal(nearestEdge({ x: 80, y: 38 }, edges, at), "w7");
  assert.equal(nearestEdge({ x: 100, y: -40 }, edges, at), null);  // too far from any line
  assert.equal(segmentDistance({ x: 5, y: 5 }, { x: 0, y: 0 }, { x: 10, y: 0 }), 5);
});

test("an edited weight is sent as typed (trimmed); Python checks it", () => {
  assert.equal(editedText("  0.45 "), "0.45");
  assert.equal(editedText(""), null);
  assert.equal(editedText("abc"), "abc");
});

test("a drawing shown smaller names fewer weights, never overlapping ones", () => {
  const fits = { values: 1.14, names: 1.33 };
  assert.equal(labelMode(1.0, fits), "values");   // 640 px: w1=0.15
  assert.equal(labelMode(1.25, fits), "names");   // 512 px: w1
  assert.equal(labelMode(1.6, fits), "selected"); // 400 px: only the selected weight
  assert.equal(labelMode(1.0, { values: 0, names: 0 }), "selected");  // a dense diagram
});

test("arrow keys walk the selectable parts, wrapping at the ends", () => {
  assert.equal(arrowTarget(0, 3, "ArrowRight"), 1);
  assert.equal(arrowTarget(2, 3, "ArrowDown"), 0);
  assert.equal(arrowTarget(0, 3, "ArrowLeft"), 2);
  assert.equal(arrowTarget(1, 3, "Home"), 0);
  assert.equal(arrowTarget(1, 3, "End"), 2);
  assert.equal(arrowTarget(1, 3, "a"), null);
  assert.equal(arrowTarget(0, 0, "ArrowRight"), null);
});
