// Pure helpers of static/training.js, run with `node --test` (see test_training_js.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { bytesOf, floatsByName, paintCells, parseRgb } from "../../backprop_widgets/static/training.js";

test("computed CSS colours become the numbers Python composites", () => {
  assert.deepEqual(parseRgb("rgb(17, 17, 17)"), [17, 17, 17]);
  assert.deepEqual(parseRgb("rgba(255, 255, 255, 0.87)"), [255, 255, 255, 0.87]);
  assert.deepEqual(parseRgb("rgb(255 255 255 / 0.5)"), [255, 255, 255, 0.5]);
  assert.equal(parseRgb("transparent"), null);
  assert.equal(parseRgb(""), null);
});

test("float32 weights as numpy writes them are read by name, from any view of the bytes", () => {
  const buffer = new ArrayBuffer(12);
  new DataView(buffer).setFloat32(4, 0.5, true);
  new DataView(buffer).setFloat32(8, -2, true);
  const view = new DataView(buffer, 4, 8);  // a host may hand over a view at an offset
  assert.deepEqual(floatsByName(["w1", "b1"], view), { w1: 0.5, b1: -2 });
  assert.equal(bytesOf(null).length, 0);
});

test("cells are painted through the colour table, or as RGB", () => {
  const colours = [0, 0, 0, 10, 20, 30];
  assert.deepEqual([...paintCells(new Uint8Array([1, 0]), 1, colours, new Uint8ClampedArray(8))],
    [10, 20, 30, 255, 0, 0, 0, 255]);
  assert.deepEqual([...paintCells(new Uint8Array([1, 2, 3]), 3, [], new Uint8ClampedArray(4))],
    [1, 2, 3, 255]);
});
