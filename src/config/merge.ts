/** Deep merge of plain objects: later layers win; arrays and scalars are replaced, not merged. */
export function deepMerge(...layers: unknown[]): unknown {
  let out: unknown = undefined;
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (isPlainObject(out) && isPlainObject(layer)) {
      const merged: Record<string, unknown> = { ...out };
      for (const [k, v] of Object.entries(layer)) merged[k] = deepMerge(merged[k], v);
      out = merged;
    } else {
      out = layer;
    }
  }
  return out;
}

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && Object.getPrototypeOf(x) === Object.prototype;
}
