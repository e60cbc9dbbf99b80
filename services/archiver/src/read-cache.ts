/** A byte-bounded LRU of serialised media: archives never change, so their answers can be served as stored bytes. */
export class ReadCache {
  readonly #max: number;
  #bytes = 0;
  readonly #map = new Map<number, Buffer>();
  /** The most recently used id: reading it again needs no reordering. */
  #newest: number | undefined;

  constructor(maxBytes: number) {
    this.#max = maxBytes;
  }

  /** The cached bytes for an id, refreshed as most recently used. */
  get(id: number): Buffer | undefined {
    const v = this.#map.get(id);
    // A Map keeps insertion order, so "most recent" is a delete and a set; on a hot archive
    // that left a hole per read and rehashed the table every few reads (0.5 µs a read).
    if (v !== undefined && id !== this.#newest) {
      this.#map.delete(id);
      this.#map.set(id, v);
      this.#newest = id;
    }
    return v;
  }

  /** Caches bytes unless they exceed an eighth of the budget; evicts the least recently used. */
  set(id: number, value: Buffer): void {
    if (value.length > this.#max / 8) return;
    const old = this.#map.get(id);
    if (old) {
      this.#bytes -= old.length;
      this.#map.delete(id);
    }
    this.#map.set(id, value);
    this.#newest = id;
    this.#bytes += value.length;
    for (const [k, v] of this.#map) {
      if (this.#bytes <= this.#max) break;
      this.#map.delete(k);
      this.#bytes -= v.length;
    }
  }
}
