/**
 * Parsed documents of recently written traces, mirroring their rows in `documents`, so a
 * commit recomputes a trace's summary without reading and parsing its documents again
 * (the usual case: a trace's segments arrive within seconds of each other). LRU-bounded,
 * and each trace is re-read from the table after a while, so a second writer on the same
 * file (`trace-console import` while a console runs) is picked up.
 */

/** How long a cached trace is trusted before it is read from the table again. */
const TRUST_MS = 10_000;

interface Version {
  doc: object;
  inProgress: boolean;
}

/** The cache; `apply` must follow the same rule as the store's upsert. */
export class RecentDocuments {
  readonly #traces = new Map<string, Map<string, Version>>();
  readonly #loadedAt = new Map<string, number>();
  readonly #max: number;

  constructor(maxTraces: number) {
    this.#max = maxTraces;
  }

  /** Whether the trace's documents are all here. */
  has(traceId: string): boolean {
    return this.#traces.has(traceId);
  }

  /** Applies one written document: newest wins, except an in-progress copy never replaces a complete one. */
  apply(traceId: string, id: string, doc: object, inProgress: boolean): void {
    const versions = this.#traces.get(traceId);
    if (versions === undefined) return;
    const seen = versions.get(id);
    if (seen !== undefined && !seen.inProgress && inProgress) return;
    versions.delete(id); // re-inserted last: the same order as the table's received_at
    versions.set(id, { doc, inProgress });
  }

  /** Starts caching a trace from its complete document list (as just read from the table). */
  load(traceId: string, docs: Array<{ id: string; doc: object; inProgress: boolean }>): void {
    this.#traces.set(traceId, new Map(docs.map((d) => [d.id, { doc: d.doc, inProgress: d.inProgress }])));
    this.#loadedAt.set(traceId, Date.now());
    if (this.#traces.size > this.#max) this.forget(this.#traces.keys().next().value!);
  }

  /** The trace's documents, and marks it recently used. */
  documents(traceId: string): object[] | undefined {
    const versions = this.#traces.get(traceId);
    if (versions === undefined) return undefined;
    if (Date.now() - this.#loadedAt.get(traceId)! > TRUST_MS) {
      this.forget(traceId);
      return undefined;
    }
    this.#traces.delete(traceId);
    this.#traces.set(traceId, versions);
    return [...versions.values()].map((v) => v.doc);
  }

  /** Forgets a trace (pruned, or its write rolled back). */
  forget(traceId: string): void {
    this.#traces.delete(traceId);
    this.#loadedAt.delete(traceId);
  }
}
