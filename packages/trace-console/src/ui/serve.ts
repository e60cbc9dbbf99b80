/**
 * Serves the web console: index.html at the client-side routes and the bundled assets at
 * /ui/assets/*. Builds the bundle first when it is missing or older than its sources, so
 * `npm start` works right after a `git pull`. Only specific prefixes are registered: the
 * API, OTLP and X-Ray routes of the same app are never shadowed.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type {} from '@tfa/service-kit/http'; // route config typing (quiet, trace)

const root = fileURLToPath(new URL('../../', import.meta.url));
// An installed package ships its bundle, built when it was packed (scripts/pack.ts), and no
// sources; in the repository the bundle is built on demand into node_modules/.cache.
const packaged = existsSync(join(root, 'ui', 'index.html')) && !existsSync(join(root, 'src'));
const outDir = packaged ? join(root, 'ui') : join(root, 'node_modules/.cache/trace-console-ui');
/** Directories whose files end up in the bundle. */
const sourceDirs = ['src/ui', 'src/filter', 'src/model'].map((d) => join(root, d));

/** Strict: only our own scripts, styles and API; nothing inline, nothing remote. */
export const contentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** Client-side routes answered with index.html. */
export const pageRoutes = ['/', '/traces', '/trace/*', '/map', '/compare', '/diff', '/sampling', '/diagnostics', '/ui', '/ui/*'];

const types: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};

let building: Promise<void> | undefined;

/** Registers the console's pages and assets on `app` (any Fastify instance, whatever its type provider). */
export async function registerUi(app: FastifyInstance<any, any, any, any, any>): Promise<void> {
  building ??= ensureBuilt().finally(() => (building = undefined));
  await building;
  const html = await readFile(join(outDir, 'index.html'));
  const assets = new Map<string, Buffer>();
  for (const name of await readdir(join(outDir, 'assets'))) {
    // A parallel build may prune an old asset meanwhile; it is not ours to serve then.
    const body = await readFile(join(outDir, 'assets', name)).catch(() => undefined);
    if (body !== undefined) assets.set(name, body);
  }

  const secure = (reply: FastifyReply): FastifyReply =>
    reply.header('content-security-policy', contentSecurityPolicy).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
  const config = { quiet: true, trace: false };
  const page = (_req: unknown, reply: FastifyReply) => secure(reply).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  for (const url of pageRoutes) app.get(url, { schema: { hide: true }, config }, page);
  app.get('/ui/assets/:name', { schema: { hide: true }, config }, (req, reply) => {
    const name = (req.params as { name: string }).name;
    const body = assets.get(name);
    if (body === undefined) {
      return secure(reply).code(404).send({ id: req.id, code: 'not_found', status: 404, detail: `no asset ${name}` });
    }
    return secure(reply)
      .type(types[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream')
      .header('cache-control', 'public, max-age=31536000, immutable') // names carry a content hash
      .send(body);
  });
}

/** Builds the bundle when index.html is missing or older than any source file. */
async function ensureBuilt(): Promise<void> {
  if (packaged) return;
  const built = await stat(join(outDir, 'index.html')).then((s) => s.mtimeMs, () => 0);
  let newest = 0;
  for (const dir of sourceDirs) newest = Math.max(newest, await newestMtime(dir));
  if (built >= newest) return;
  const { buildUi } = await import('./build.ts');
  await buildUi(outDir);
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}
