/**
 * Browser access when a token is set: a browser cannot send a bearer header
 * for page loads or EventSource, so the console prints a one-time link that
 * trades itself for an HttpOnly, SameSite=Strict session cookie.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { appError } from '@tfa/service-kit/errors';
import type { App } from '@tfa/service-kit/http';

const COOKIE = 'trace_console_session';
const MAX_SESSIONS = 256;

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The one-time key and the sessions it opened. */
export class BrowserLogin {
  readonly key = randomBytes(16).toString('hex');
  #used = false;
  readonly #sessions = new Set<string>();

  /** True when the request carries a cookie of a session this login opened. */
  hasSession(cookieHeader: string | undefined): boolean {
    if (!cookieHeader) return false;
    for (const part of cookieHeader.split(';')) {
      const [name, value] = part.trim().split('=', 2);
      if (name === COOKIE && value && this.#sessions.has(value)) return true;
    }
    return false;
  }

  /** Registers `GET /login?key=`: the first visit with the key gets a session cookie and goes to `/`. */
  register(app: App): void {
    app.get('/login', { schema: { hide: true }, config: { trace: false } }, async (req, reply) => {
      const given = String((req.query as { key?: string }).key ?? '');
      if (this.#used || !timingSafeEqual(digest(given), digest(this.key))) {
        throw appError('unauthorized', 'this login link is not valid (it works once; restart trace-console for a new one, or send Authorization: Bearer <token>)');
      }
      this.#used = true;
      const session = randomBytes(24).toString('hex');
      if (this.#sessions.size >= MAX_SESSIONS) this.#sessions.delete(this.#sessions.values().next().value!);
      this.#sessions.add(session);
      return reply
        .header('set-cookie', `${COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`)
        .header('cache-control', 'no-store')
        .redirect('/', 303);
    });
  }
}
