/**
 * Store operations as database client spans (X-Ray `sql` subsegments),
 * through the OpenTelemetry API only: the statement template, never values.
 */
import { basename } from 'node:path';
import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { ArchiveRecord, ArchiveStore } from './types.ts';

/** The statements each store operation runs, for span attributes. */
export interface StoreStatements {
  create: string;
  get: string;
  readBody: string;
  list: string;
}

/** Wraps a store so each operation inside a traced request is a span. */
export function tracedStore(
  store: ArchiveStore,
  tracer: Tracer,
  db: { system: string; path: string; statements: StoreStatements; namespace?: string; server?: string },
): ArchiveStore {
  const namespace = db.namespace ?? basename(db.path);
  const start = (operation: string, statement: string): Span | undefined => {
    if (!trace.getActiveSpan()) return undefined;
    return tracer.startSpan(`${operation} ${namespace}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': db.system,
        'db.namespace': namespace,
        'db.operation.name': operation,
        'db.query.text': statement,
        'server.address': db.server ?? 'localhost',
      },
    });
  };
  const finish = (span: Span | undefined, err?: unknown) => {
    if (!span) return;
    if (err) {
      span.addEvent('exception', { 'exception.type': (err as { code?: string }).code ?? (err as Error).name, 'exception.message': (err as Error).message });
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };
  async function run<T>(operation: string, statement: string, fn: () => Promise<T>): Promise<T> {
    const span = start(operation, statement);
    try {
      const result = span ? await context.with(trace.setSpan(context.active(), span), fn) : await fn();
      finish(span);
      return result;
    } catch (err) {
      finish(span, err);
      throw err;
    }
  }
  return {
    create: (meta, body, options) => run('INSERT', db.statements.create, () => store.create(meta, body, options)),
    get: (id) => run('SELECT', db.statements.get, () => store.get(id)),
    list: (query) => run('SELECT', db.statements.list, () => store.list(query)),
    async *readBody(record: ArchiveRecord, startAt?: number, end?: number) {
      const span = start('SELECT', db.statements.readBody);
      try {
        yield* store.readBody(record, startAt, end);
        finish(span);
      } catch (err) {
        finish(span, err);
        throw err;
      }
    },
    ping: () => store.ping(),
    problem: () => store.problem?.(),
    close: () => store.close(),
  };
}
