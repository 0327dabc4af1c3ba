// Long HTML panels arrive as zlib-deflated bytes (widgets/deflated.py); the browser's own
// DecompressionStream reads them, so nothing is loaded and nothing is written by hand.

/** The text of deflated bytes, whatever the host hands over (DataView, ArrayBuffer, typed array). */
export async function inflateText(value) {
  if (typeof value === "string") return value;
  let bytes = new Uint8Array(0);
  if (value instanceof ArrayBuffer) bytes = new Uint8Array(value);
  else if (value && ArrayBuffer.isView(value)) bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (!bytes.length) return "";
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Response(stream).text();
}

/**
 * Calls draw(text) with the trait's text now and on every change, in order: a slow older
 * change never overwrites a newer one. Returns the function that stops listening.
 */
export function followDeflated(model, name, draw) {
  let latest = 0;
  const update = async () => {
    const mine = ++latest;
    const text = await inflateText(model.get(name));
    if (mine === latest) draw(text);
  };
  update();
  model.on(`change:${name}`, update);
  return () => model.off(`change:${name}`, update);
}
