/**
 * AWS's own Python X-Ray SDK (Debian's python3-aws-xray-sdk) sends to trace-console as to
 * the real daemon. Skipped locally when the package is absent; in CI its absence fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startConsole } from '@tfa/test-helpers/console';
import { tempDir } from '@tfa/test-helpers/tmp';

const SCRIPT = `
import sys
from aws_xray_sdk.core import xray_recorder
xray_recorder.configure(daemon_address=sys.argv[1], sampling=False, context_missing='LOG_ERROR')
segment = xray_recorder.begin_segment('py-service')
segment.put_annotation('lang', 'python')
subsegment = xray_recorder.begin_subsegment('py-work')
subsegment.put_metadata('step', 1)
xray_recorder.end_subsegment()
xray_recorder.end_segment()
print(segment.trace_id)
`;

// Debian's package installs for the system interpreter, which a pyenv on PATH may shadow.
const candidates = ['/usr/bin/python3', 'python3'];
const probes = candidates.map((python) => ({ python, probe: spawnSync(python, ['-c', 'import aws_xray_sdk'], { encoding: 'utf8', timeout: 30_000 }) }));
const found = probes.find((p) => p.probe.status === 0);
const python = found?.python ?? 'python3';
const probe = found?.probe ?? probes[0]!.probe;
const available = found !== undefined;

test('a segment with a subsegment from aws_xray_sdk (Python) appears in /api/traces/{id}', { skip: !available && !process.env.CI ? 'python3 with aws_xray_sdk is not installed (apt-get install python3-aws-xray-sdk)' : false }, async (t) => {
  assert.ok(available, `CI must have python3-aws-xray-sdk installed: ${probe.stderr || probe.error?.message}`);
  const tc = await startConsole(t, { db: join(tempDir(t), 'traces.db') });
  const address = `127.0.0.1:${tc.port}`;
  const r = spawnSync(python, ['-c', SCRIPT, address], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, AWS_XRAY_DAEMON_ADDRESS: address, AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR', AWS_XRAY_SDK_ENABLED: 'true' },
  });
  assert.equal(r.status, 0, r.stderr);
  const traceId = r.stdout.trim();
  assert.match(traceId, /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
  const trace = await tc.waitForTrace(traceId);
  assert.equal(trace.segments.length, 1);
  const [segment] = trace.segments;
  assert.equal(segment.name, 'py-service');
  assert.deepEqual(segment.annotations, { lang: 'python' });
  assert.equal(segment.subsegments.length, 1);
  assert.equal(segment.subsegments[0].name, 'py-work');
  const { json } = await tc.get(`/api/traces?filter=${encodeURIComponent('annotation.lang = "python"')}`);
  assert.deepEqual(json.traces.map((x: any) => x.id), [traceId]);
  const { json: diagnostics } = await tc.get('/api/diagnostics');
  const sender = diagnostics.senders.find((s: any) => s.accepted > 0);
  assert.equal(Object.values<number>(sender.counts).reduce((a, b) => a + b, 0), 0, JSON.stringify(sender));
});
