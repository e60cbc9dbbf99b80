/** When the otlp exporter signs with SigV4, and for which region (OTEL_EXPORTER_OTLP_* and AWS_REGION). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sigv4Target } from '../src/sigv4-target.ts';

test('sigv4Target: X-Ray OTLP hosts sign, others only when forced', () => {
  const cases: [string, NodeJS.ProcessEnv, ReturnType<typeof sigv4Target>][] = [
    ['traces endpoint on X-Ray', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://xray.eu-west-1.amazonaws.com/v1/traces' }, { url: 'https://xray.eu-west-1.amazonaws.com/v1/traces', region: 'eu-west-1' }],
    ['base endpoint on X-Ray gets /v1/traces', { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://xray.us-gov-west-1.amazonaws.com/' }, { url: 'https://xray.us-gov-west-1.amazonaws.com/v1/traces', region: 'us-gov-west-1' }],
    ['China partition', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://xray.cn-north-1.amazonaws.com.cn/v1/traces' }, { url: 'https://xray.cn-north-1.amazonaws.com.cn/v1/traces', region: 'cn-north-1' }],
    ['the endpoint region wins over AWS_REGION', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://xray.ap-south-1.amazonaws.com/v1/traces', AWS_REGION: 'us-east-1' }, { url: 'https://xray.ap-south-1.amazonaws.com/v1/traces', region: 'ap-south-1' }],
    ['a local collector is not signed', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }, undefined],
    ['the default endpoint is not signed', {}, undefined],
    ['a look-alike host is not signed', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://xray.eu-west-1.amazonaws.com.evil.test/v1/traces' }, undefined],
    ['forced on, region from AWS_REGION', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:2000', OTEL_EXPORTER_OTLP_SIGV4: 'on', AWS_REGION: 'eu-central-1' }, { url: 'http://127.0.0.1:2000/v1/traces', region: 'eu-central-1' }],
    ['forced on, region from AWS_DEFAULT_REGION', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:2000', OTEL_EXPORTER_OTLP_SIGV4: 'ON', AWS_DEFAULT_REGION: 'sa-east-1' }, { url: 'http://127.0.0.1:2000/v1/traces', region: 'sa-east-1' }],
    ['forced off on X-Ray', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://xray.eu-west-1.amazonaws.com/v1/traces', OTEL_EXPORTER_OTLP_SIGV4: 'off' }, undefined],
  ];
  for (const [name, env, expected] of cases) assert.deepEqual(sigv4Target(env), expected, name);
});

test('sigv4Target: a bad value or a missing region is a one-line config error', () => {
  assert.throws(() => sigv4Target({ OTEL_EXPORTER_OTLP_SIGV4: 'yes' }), /^ConfigError: invalid OTEL_EXPORTER_OTLP_SIGV4 "yes": expected on, off or auto$/);
  assert.throws(() => sigv4Target({ OTEL_EXPORTER_OTLP_SIGV4: 'on', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:2000' }), /needs a region: set AWS_REGION/);
});
