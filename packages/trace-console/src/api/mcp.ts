/**
 * The console's MCP server at `POST /mcp` (Model Context Protocol, streamable HTTP, with the
 * official @modelcontextprotocol/sdk), so a coding agent can search traces with an X-Ray
 * filter expression, open one, read its diagnosis, diff two, read the service map and ask
 * which sampling rule a request matches. Stateless: each POST gets a fresh server and
 * transport over the same store, and answers with JSON (no session, no SSE stream to keep).
 * The tools call what the HTTP routes call, so both answer alike.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { AppError } from '@tfa/service-kit/errors';
import { sendError, errorBody, type App } from '@tfa/service-kit/http';
import { FilterSyntaxError } from '../filter/index.ts';
import type { Diagnostics } from '../ingest/diagnostics.ts';
import type { SamplingService } from '../sampling/service.ts';
import { explainNow } from './sampling.ts';
import type { TraceStoreApi } from '../store/store.ts';
import { toApiSummary } from '../store/summary.ts';
import { diagnoseTrace, diffById, documentsOf } from './analysis.ts';
import { compileQuery, findTraces, parseTime } from './query.ts';
import { aggregateGraph, toConsoleGraph } from './service-graph.ts';

/** What the tools read. */
export interface McpOptions {
  store: TraceStoreApi;
  diagnostics: Diagnostics;
  sampling: SamplingService;
  version: string;
}

type ToolResult = { content: { type: 'text'; text: string }[]; isError?: boolean };

/** A tool's answer as JSON text; an AppError or a filter error becomes an error result the agent can read. */
function answer(run: () => unknown): ToolResult {
  try {
    return { content: [{ type: 'text', text: JSON.stringify(run(), null, 1) }] };
  } catch (err) {
    if (err instanceof FilterSyntaxError) return { isError: true, content: [{ type: 'text', text: `invalid filter at position ${err.position}: ${err.message}; expected ${err.expected.join(', ')}` }] };
    if (err instanceof AppError) return { isError: true, content: [{ type: 'text', text: `${err.code}: ${err.detail}` }] };
    throw err;
  }
}

const traceId = z.string().max(64).describe('X-Ray trace id, 1-<8 hex>-<24 hex>');
const time = z.string().max(40).optional();

/** A server with the console's tools. */
export function buildMcpServer(o: McpOptions): McpServer {
  const server = new McpServer({ name: 'trace-console', version: o.version });
  server.registerTool(
    'search_traces',
    {
      description: 'Traces matching an X-Ray filter expression (e.g. `service("archiver") AND responsetime > 1`, `http.status >= 500`, `annotation.remote_status = 404`), newest first: id, duration, method, url, status, services, error/fault/throttle, annotations.',
      inputSchema: {
        filter: z.string().max(4096).optional().describe('X-Ray filter expression; empty for every trace'),
        since: time.describe('epoch seconds or ISO 8601: traces starting at or after'),
        until: time.describe('epoch seconds or ISO 8601: traces starting at or before'),
        limit: z.number().int().min(1).max(200).optional().describe('at most this many (default 20)'),
      },
    },
    async ({ filter, since, until, limit }) =>
      answer(() => {
        const compiled = compileQuery(filter);
        const { rows, more } = findTraces(o.store, { since: parseTime(since, 'since'), until: parseTime(until, 'until') }, compiled, limit ?? 20);
        return { traces: rows.map(toApiSummary), more };
      }),
  );
  server.registerTool(
    'get_trace',
    { description: 'Every segment document of one trace, as received (X-Ray segment JSON).', inputSchema: { id: traceId } },
    async ({ id }) => answer(() => ({ id, segments: documentsOf(o.store, id) })),
  );
  server.registerTool(
    'diagnose_trace',
    {
      description: 'Why a trace is incomplete or wrong: missing parents (and which service should have sent them), segments in progress, clock skew with the offset, where the sampling decision changed, refused or trimmed documents, late arrivals; each finding with evidence and the fix. Also answers for an id never stored.',
      inputSchema: { id: traceId },
    },
    async ({ id }) => answer(() => diagnoseTrace(o.store, o.diagnostics, id)),
  );
  server.registerTool(
    'diff_traces',
    {
      description: 'Two traces aligned span by span: durations and deltas, spans only in one, errors that appear or vanish, the critical path of each. b may be "typical": the trace of the same URL nearest its median duration.',
      inputSchema: { a: traceId, b: z.string().max(64).describe('trace id, or "typical"') },
    },
    async ({ a, b }) => answer(() => diffById(o.store, a, b)),
  );
  server.registerTool(
    'service_map',
    {
      description: 'The service map of the traces starting in a window (default: every stored trace): each service and its calls, with counts, errors, faults, throttles and latency percentiles.',
      inputSchema: { since: time.describe('epoch seconds or ISO 8601'), until: time.describe('epoch seconds or ISO 8601') },
    },
    async ({ since, until }) => answer(() => toConsoleGraph(aggregateGraph(o.store.graphs(parseTime(since, 'since') ?? 0, parseTime(until, 'until') ?? Number.MAX_SAFE_INTEGER)))),
  );
  server.registerTool(
    'explain_sampling',
    {
      description: "Which of the console's sampling rules a request matches and why the rules before it did not (the field, its value and the wildcard that failed), with the reservoir and rate that apply.",
      inputSchema: {
        service_name: z.string().max(200).describe('the service (segment name)'),
        service_type: z.string().max(200).optional().describe('origin, e.g. AWS::EC2::Instance'),
        host: z.string().max(200).optional(),
        http_method: z.string().max(20).optional(),
        url_path: z.string().max(2000).optional(),
        attributes: z.record(z.string(), z.string()).optional(),
      },
    },
    async (request) => answer(() => explainNow(o.sampling, request)),
  );
  return server;
}

/** Mounts the MCP server on `POST /mcp`; GET and DELETE (streams and sessions) are not offered. */
export function registerMcp(app: App, o: McpOptions): void {
  app.post('/mcp', { schema: { summary: 'MCP server (streamable HTTP, stateless, JSON responses): search, open, diagnose and diff traces, read the map, explain sampling', tags: ['mcp'] } }, async (req, reply) => {
    const server = buildMcpServer(o);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req.raw, reply.raw, req.body);
  });
  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method,
      url: '/mcp',
      schema: { hide: true },
      handler: async (req, reply) => {
        reply.header('allow', 'POST');
        return sendError(reply, errorBody(req.id, 'method_not_allowed', 405, 'this MCP server is stateless: POST JSON-RPC messages to /mcp (no SSE stream, no session to delete)'));
      },
    });
  }
}
