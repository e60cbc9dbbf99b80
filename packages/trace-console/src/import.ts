/**
 * `trace-console import FILE`: loads traces from a file into the store. Accepted forms:
 * JSON lines of raw segment documents; an export (`GET /api/traces/{id}`'s
 * `{id, duration, segments}`), one per file or per line; a JSON array of documents;
 * or an OTLP/JSON ExportTraceServiceRequest.
 */
import { readFileSync } from 'node:fs';
import { decodeOtlpTraces } from './otlp/decode.ts';
import type { Ingest } from './ingest/ingest.ts';

/** What an import did. */
export interface ImportCounts {
  documents: number;
  accepted: number;
  rejected: number;
  /** Rejections by problem kind. */
  problems: Record<string, number>;
}

/** Imports `file` through the ingest path (the same checks as live input); `commit` empties the store's queue. */
export function importFile(file: string, ingest: Ingest, commit: () => void): ImportCounts {
  const bytes = readFileSync(file);
  const counts: ImportCounts = { documents: 0, accepted: 0, rejected: 0, problems: {} };
  const one = (text: string) => {
    // The store's queue is bounded: commit as we go, or a big file would overflow it.
    if (++counts.documents % 5_000 === 0) commit();
    const r = ingest.document(text, `import ${file}`);
    if (r.ok) counts.accepted++;
    else (counts.rejected++, (counts.problems[r.kind] = (counts.problems[r.kind] ?? 0) + 1));
  };
  const value = (parsed: unknown, text: string) => {
    if (Array.isArray(parsed)) for (const d of parsed) one(JSON.stringify(d));
    else if (parsed && typeof parsed === 'object' && Array.isArray((parsed as { segments?: unknown }).segments)) {
      for (const d of (parsed as { segments: unknown[] }).segments) one(JSON.stringify(d));
    } else one(text);
  };
  const text = bytes.toString('utf8');
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined;
  }
  if (whole && typeof whole === 'object' && !Array.isArray(whole) && ('resourceSpans' in whole || 'resource_spans' in whole)) {
    const spans = decodeOtlpTraces(bytes, 'json'); // at most MAX_SPANS: fits the queue
    const r = ingest.spans(spans, `import ${file}`);
    return { documents: spans.length, accepted: r.accepted, rejected: r.rejected, problems: {} };
  }
  if (whole !== undefined) {
    value(whole, text.trim());
    return counts;
  }
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      parsed = undefined;
    }
    value(parsed, trimmed);
  }
  return counts;
}
