// Pure helpers of static/training.js, run with `node --test` (see test_training_js.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { bytesOf, crc32, floatsByName, isNewPair, paintCells, parseRgb } from "../../backprop_widgets/static/training.js";

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

test("CRC-32 is Python's zlib.crc32", () => {
  // zlib.crc32(b"123456789") == 0xCBF43926, the standard check value
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  assert.equal(crc32(new Uint8Array(0)), 0);
});

test("a picture is painted only when its box and its bytes are one pair, once", () => {
  const older = new Uint8Array([1, 2, 3]);
  const newer = new Uint8Array([4, 5, 6, 7]);
  const box = [0, 0, 10, 10, 8, false, crc32(newer)];
  // marimo: the new box first, the new bytes a moment later
  assert.equal(isNewPair(box, older, 7), false, "the box with the previous frame's bytes");
  assert.equal(isNewPair(box, newer, 7), true, "the pair");
  assert.equal(isNewPair(box, newer, 8), false, "the same pair a second time");
  assert.equal(isNewPair([0, 0, 10, 10, 3, true], older, 2), true, "a box saved before the CRC");
  assert.equal(isNewPair(undefined, newer, 0), false);
});
