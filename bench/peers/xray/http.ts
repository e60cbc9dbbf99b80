/**
 * Peer: AWS X-Ray SDK for Node (aws-xray-sdk-core 3.12), bare node:http, a segment per
 * request (local rules, 100 %: no reservoir, no centralized sampling), each segment one
 * datagram to the daemon address when the response finishes, as its middleware does.
 * `node bench/peers/xray/http.ts --mode off|udp [--udp PORT]`.
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { handler, listen, type Http } from '../handler.ts';

const { values } = parseArgs({ options: { mode: { type: 'string', default: 'off' }, udp: { type: 'string' } } });
const require = createRequire(import.meta.url);
const http = require('http') as Http;

if (values.mode === 'off') listen(http.createServer(handler));
else {
  const AWSXRay = require('aws-xray-sdk-core');
  AWSXRay.setDaemonAddress(`127.0.0.1:${values.udp}`);
  AWSXRay.setContextMissingStrategy('IGNORE_ERROR');
  AWSXRay.middleware.disableCentralizedSampling();
  AWSXRay.middleware.setSamplingRules({ version: 2, rules: [], default: { fixed_target: 0, rate: 1 } });
  AWSXRay.middleware.setDefaultName('peer-xray');
  const ns = AWSXRay.getNamespace();
  listen(
    http.createServer((req, res) => {
      // What AWSXRay.express.openSegment does, minus Express.
      const segment = AWSXRay.middleware.traceRequestResponseCycle(req, res);
      ns.bindEmitter(req);
      ns.bindEmitter(res);
      ns.run(() => {
        AWSXRay.setSegment(segment);
        handler(req, res);
      });
    }),
  );
}
