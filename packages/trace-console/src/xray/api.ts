/**
 * The X-Ray service API on the console's TCP port (XRAY-REFERENCE §7): restJson1, every
 * operation a POST with a JSON body, errors as `X-Amzn-Errortype` + `{"__type","Message"}`,
 * timestamps as epoch-second numbers, `NextToken` paging. SigV4 `Authorization` headers
 * are accepted without verification (this is a local stand-in), so AWS's CLI and SDKs
 * work with an endpoint override.
 *
 * The dispatcher is a table: each family module exports its operations (operation.ts) and
 * is listed once in `families`.
 */
import type { FastifyReply } from 'fastify';
import { AppError } from '@tfa/service-kit/errors';
import type { App } from '@tfa/service-kit/http';
import { allGroups, findGroup, groupOperations, groupQuery } from './groups.ts';
import { insightOperations } from './insights.ts';
import { XRayError as ParamError } from './params.ts';
import { retrievalOperations } from './retrieval.ts';
import { asBody, Throttled, XRayError, type XRayDeps, type XRayFamily } from './operation.ts';
import { policyOperations } from './policies.ts';
import { ruleByArn, samplingOperations } from './sampling.ts';
import { settingsOperations } from './settings.ts';
import { tagOperations } from './tags.ts';
import { timeSeriesOperations } from './timeseries.ts';
import { traceOperations } from './traces.ts';

export { InvalidRequest } from './operation.ts';

/** Taggable resources: groups and sampling rules. */
const taggable: XRayFamily = (deps) => tagOperations((arn) => findGroup(deps.state, { arn }) !== undefined || ruleByArn(deps.sampling, arn) !== undefined)(deps);

/** Every family of X-Ray operations, registered in this order. */
const families: XRayFamily[] = [traceOperations, samplingOperations, groupOperations, timeSeriesOperations, taggable, policyOperations, settingsOperations];

/**
 * Writes (Create/Update/Delete/Put/Tag...) share one token bucket, like X-Ray's per-account
 * control-plane limits: past it an operation answers ThrottledException (429) and the SDKs
 * back off and retry. `--xray-write-rate` sets it.
 */
export const DEFAULT_WRITE_RATE = 100;

function writeLimiter(rate: { perSecond: number; burst: number }): () => boolean {
  let tokens = rate.burst;
  let at = performance.now();
  return () => {
    const now = performance.now();
    tokens = Math.min(rate.burst, tokens + ((now - at) / 1000) * rate.perSecond);
    at = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

/** Registers every X-Ray operation of every family. */
export function registerXRayApi(app: App, deps: XRayDeps): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // botocore and the SDKs send application/json; an empty body means `{}` (restJson1).
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 8 * 1024 * 1024 }, (_req, text, done) => {
      if ((text as string).trim() === '') return done(null, {});
      try {
        done(null, JSON.parse(text as string));
      } catch {
        done(new XRayError('InvalidRequestException', 400, 'the request body is not valid JSON'), undefined);
      }
    });
    scope.setErrorHandler((err, req, reply) => {
      const e = err as Error & { statusCode?: number; code?: string };
      if (err instanceof ParamError) return awsError(reply, err.status, err.type, err.message, err instanceof XRayError ? err.resourceName : undefined);
      if (e.name === 'InvalidRequestException') return awsError(reply, 400, 'InvalidRequestException', e.message);
      if (err instanceof AppError) return awsError(reply, err.status, err.status === 401 ? 'AccessDeniedException' : 'InvalidRequestException', err.detail);
      if (typeof e.statusCode === 'number' && e.statusCode < 500) return awsError(reply, 400, 'InvalidRequestException', e.message);
      req.log.error({ err }, 'request failed');
      return awsError(reply, 500, 'ServiceException', 'internal error; the request id is in the server log');
    });
    // Trace retrieval and insights (retrieval.ts, insights.ts) take an OperationContext; insights watch the groups above.
    const context = { store: deps.store, onClose: (fn: () => void) => scope.addHook('onClose', async () => fn()) };
    const groups = {
      groups: () =>
        allGroups(deps.state)
          .filter((g) => g.GroupName === 'Default' || g.InsightsConfiguration.InsightsEnabled)
          .map((g) => ({ name: g.GroupName, arn: g.GroupARN, filter: groupQuery(deps.state, g).predicate ?? null })),
    };
    const contextFamily: XRayFamily = () => [...retrievalOperations(context), ...insightOperations(context, { groups })];
    const seen = new Set<string>();
    const rate = { perSecond: deps.writeRate ?? DEFAULT_WRITE_RATE, burst: 2 * (deps.writeRate ?? DEFAULT_WRITE_RATE) };
    const allowWrite = writeLimiter(rate);
    for (const family of [...families, contextFamily]) {
      for (const op of family(deps)) {
        if (seen.has(op.path)) throw new Error(`X-Ray operation path ${op.path} registered twice`);
        seen.add(op.path);
        scope.post(op.path, { schema: { summary: op.name, tags: ['X-Ray API'] } }, async (req) => {
          if (op.write && !allowWrite()) throw new Throttled(`Rate exceeded: at most ${rate.perSecond} changes per second (bursts of ${rate.burst})`);
          return op.handler(asBody(req.body), { ip: req.ip });
        });
      }
    }
  });
}

function awsError(reply: FastifyReply, status: number, type: string, message: string, resourceName?: string): FastifyReply {
  const fields = resourceName === undefined ? {} : { ResourceName: resourceName };
  return reply.code(status).header('x-amzn-errortype', type).type('application/json').send({ __type: type, Message: message, ...fields });
}
