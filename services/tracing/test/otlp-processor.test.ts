/**
 * OtlpSpanProcessor: batching by size and by delay, the bound on its queue, losses reported
 * (never thrown), and that the concatenated slices are one valid ExportTraceServiceRequest
 * for the console's protobufjs decoder (built from the official .proto files).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, TracerProvider } from '@opentelemetry/sdk-trace';
import { decodeOtlpTraces } from '@tfa/trace-console/otlp/decode';
import { parseTracingEnv } from '../src/env.ts';
import { OtlpSpanProcessor, type Batch, type BatchExporter, type OtlpProcessorOptions } from '../src/otlp-processor.ts';
import type { DropSummary } from '@tfa/otel-xray/drop-reporter';

/** Records every batch; `fail` makes exports report failure. */
function recorder(fail = false) {
  const batches: Batch[] = [];
  const exporter: BatchExporter = {
    export(batch: Batch, done: (r: ExportResult) => void) {
      batches.push(batch);
      setImmediate(() => done(fail ? { code: ExportResultCode.FAILED, error: new Error('receiver said 503') } : { code: ExportResultCode.SUCCESS }));
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  return { exporter, batches };
}

function setup(options: Partial<OtlpProcessorOptions> & { exporter: BatchExporter }) {
  const drops: DropSummary[] = [];
  const processor = new OtlpSpanProcessor({ scheduleDelayMs: 5000, maxQueueSize: 2048, maxExportBatchSize: 512, onDrop: (s) => drops.push(s), ...options });
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'otlp-test' }), spanProcessors: [processor] });
  const tracer = provider.getTracer('test');
  const spans = (n: number, prefix = 'op') => {
    for (let i = 0; i < n; i++) tracer.startSpan(`${prefix}-${i}`, { attributes: { i } }).end();
  };
  return { processor, provider, spans, drops };
}

const decode = (batch: Batch) => decodeOtlpTraces(Buffer.concat(batch.parts), 'protobuf');
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

test('a full batch goes out as soon as it holds OTEL_BSP_MAX_EXPORT_BATCH_SIZE spans, never more', async () => {
  const { exporter, batches } = recorder();
  const { spans, provider } = setup({ exporter, maxExportBatchSize: 50, sliceSize: 16 });
  spans(130);
  await turns(20);
  assert.deepEqual(batches.map((b) => b.spans), [50, 50], 'two full batches, the rest waits for the delay');
  // Slices of 16 joined: several ResourceSpans in one request, every span decoded once.
  assert.ok(batches[0]!.parts.length > 1);
  const decoded = decode(batches[0]!);
  assert.equal(decoded.length, 50);
  assert.deepEqual(decoded.map((s) => s.name), Array.from({ length: 50 }, (_, i) => `op-${i}`));
  assert.equal(decoded[7]!.attributes.i, 7);
  assert.equal(decoded[0]!.resource['service.name'], 'otlp-test');
  await provider.forceFlush();
  assert.deepEqual(batches.map((b) => b.spans), [50, 50, 30], 'forceFlush sends the partial batch');
  assert.deepEqual(decode(batches[2]!).map((s) => s.name).slice(0, 2), ['op-100', 'op-101']);
  await provider.shutdown();
});

test('a partial batch goes out after OTEL_BSP_SCHEDULE_DELAY', async () => {
  const { exporter, batches } = recorder();
  const { spans, provider } = setup({ exporter, scheduleDelayMs: 30 });
  spans(3);
  await turns(5);
  assert.equal(batches.length, 0, 'not before the delay');
  await new Promise((r) => setTimeout(r, 120));
  assert.deepEqual(batches.map((b) => b.spans), [3]);
  assert.equal(decode(batches[0]!).length, 3);
  await provider.shutdown();
});

test('a full queue drops spans and reports them; failed exports are reported, never thrown', async () => {
  const { exporter, batches } = recorder(true);
  const { spans, provider, drops } = setup({ exporter, maxQueueSize: 5, maxExportBatchSize: 5 });
  spans(12); // in one turn: the queue holds 5
  await turns(5);
  await provider.shutdown();
  assert.deepEqual(batches.map((b) => b.spans), [5]);
  const total = (k: keyof DropSummary) => drops.reduce((s, d) => s + (d[k] as number), 0);
  assert.equal(total('queueFull'), 7);
  assert.equal(total('sendErrors'), 5, 'the failed export counts its spans');
  assert.match(drops.at(-1)!.lastError ?? '', /503/);
});

test('unsampled spans are not exported, and nothing is exported after shutdown', async () => {
  const { exporter, batches } = recorder();
  const drops: DropSummary[] = [];
  const processor = new OtlpSpanProcessor({ scheduleDelayMs: 10, maxQueueSize: 10, maxExportBatchSize: 10, exporter, onDrop: (s) => drops.push(s) });
  const provider = new TracerProvider({ sampler: new AlwaysOffSampler(), spanProcessors: [processor] });
  const span = provider.getTracer('t').startSpan('off', {}, ROOT_CONTEXT);
  assert.equal(span.spanContext().traceFlags & TraceFlags.SAMPLED, 0);
  span.end();
  await processor.shutdown();
  const late = new TracerProvider({ spanProcessors: [processor] });
  late.getTracer('t').startSpan('late').end();
  await turns(3);
  assert.equal(batches.length, 0);
  assert.equal(drops.length, 0);
});

test('OTEL_BSP_* are read with one-line errors', () => {
  assert.deepEqual(parseTracingEnv({}).batch, { scheduleDelayMs: 5000, maxQueueSize: 2048, maxExportBatchSize: 512 });
  assert.deepEqual(parseTracingEnv({ OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '500' }).batch, {
    scheduleDelayMs: 200,
    maxQueueSize: 100,
    maxExportBatchSize: 100,
  });
  assert.throws(() => parseTracingEnv({ OTEL_BSP_SCHEDULE_DELAY: 'soon' }), /invalid OTEL_BSP_SCHEDULE_DELAY "soon": expected an integer ≥ 0/);
  assert.throws(() => parseTracingEnv({ OTEL_BSP_MAX_QUEUE_SIZE: '0' }), /OTEL_BSP_MAX_QUEUE_SIZE/);
});
