/** A UDP listener standing where the X-Ray daemon would be: it keeps every datagram it receives. */
import { createSocket } from 'node:dgram';
import type { TestContext } from 'node:test';

/** A received datagram split per the daemon protocol. */
export interface Datagram {
  header: string;
  doc: Record<string, any>;
  bytes: number;
}

/** A fake daemon on 127.0.0.1:<ephemeral>. */
export interface FakeDaemon {
  address: string;
  datagrams: Datagram[];
  /** Documents of one trace (X-Ray id), nested subsegments listed as independent ones (marked `nested: true`). */
  trace(id: string): Record<string, any>[];
  /** Waits until `predicate` holds over the documents of the trace, or fails after `timeoutMs`. */
  waitFor(id: string, predicate: (docs: Record<string, any>[]) => boolean, timeoutMs?: number): Promise<Record<string, any>[]>;
}

/** Starts the listener; closed after the test. */
export async function startFakeDaemon(t: TestContext): Promise<FakeDaemon> {
  const socket = createSocket('udp4');
  const datagrams: Datagram[] = [];
  socket.on('message', (msg) => {
    const text = msg.toString('utf8');
    const nl = text.indexOf('\n');
    datagrams.push({ header: text.slice(0, nl), doc: JSON.parse(text.slice(nl + 1)), bytes: msg.length });
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => socket.close(() => r())));
  // A document's nested subsegments are listed after it as the independent documents they
  // stand for (type, trace_id and parent_id supplied), so tests find every span either way.
  const flatten = (doc: Record<string, any>, out: Record<string, any>[]): void => {
    out.push(doc);
    const subs: Record<string, any>[] = Array.isArray(doc.subsegments) ? doc.subsegments : [];
    for (const sub of subs) flatten({ ...sub, type: 'subsegment', trace_id: doc.trace_id, parent_id: doc.id, nested: true }, out);
  };
  const trace = (id: string) => {
    const out: Record<string, any>[] = [];
    for (const d of datagrams) if (d.doc.trace_id === id) flatten(d.doc, out);
    return out;
  };
  return {
    address: `127.0.0.1:${socket.address().port}`,
    datagrams,
    trace,
    async waitFor(id, predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const docs = trace(id);
        if (predicate(docs)) return docs;
        if (Date.now() > deadline) throw new Error(`trace ${id}: condition not met; got ${JSON.stringify(docs, null, 1).slice(0, 4000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
