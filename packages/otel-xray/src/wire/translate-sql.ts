/**
 * The `sql` block (XRAY-REFERENCE §3.8, §4.7) for SQL database spans, from both semconv
 * generations (`db.system`/`db.system.name`, `db.statement`/`db.query.text`,
 * `db.name`/`db.namespace`). Passwords never reach the document.
 */
import type { Sql } from './types.ts';
import type { Attrs } from './translate-values.ts';
import { portString, str } from './translate-values.ts';

/** `db.system` values (old and new semconv names) that get a `sql` block. */
const SQL_SYSTEMS: ReadonlySet<string> = new Set([
  'db2', 'derby', 'hive', 'mariadb', 'mssql', 'mysql', 'oracle', 'postgresql', 'sqlite', 'teradata', 'other_sql',
  'ibm.db2', 'microsoft.sql_server', 'oracle.db', 'h2database', 'hsqldb', 'cockroachdb', 'trino', 'sap.hana', 'clickhouse',
]);

/** Attributes the sql block consumes: not repeated in metadata when the block exists. */
export const SQL_KEYS: ReadonlySet<string> = new Set([
  'db.system', 'db.system.name', 'db.statement', 'db.query.text', 'db.user', 'db.connection_string',
]);

/** The `sql` block of a span, or undefined when it is not a SQL database span. */
export function makeSql(attrs: Attrs): Sql | undefined {
  const system = str(attrs['db.system.name']) ?? str(attrs['db.system']);
  if (system === undefined || !SQL_SYSTEMS.has(system)) return undefined;
  const sql: Sql = { database_type: system };
  const url = connectionUrl(system, attrs);
  if (url !== undefined) sql.url = url;
  const cs = str(attrs['db.connection_string']);
  if (cs !== undefined && !cs.includes('://')) sql.connection_string = withoutPassword(cs);
  const query = str(attrs['db.query.text']) ?? str(attrs['db.statement']);
  if (query !== undefined) sql.sanitized_query = query;
  const user = str(attrs['db.user']);
  if (user !== undefined) sql.user = user.length > 250 ? user.slice(0, 250) : user;
  return sql;
}

/** A URL for the database: the connection string if it is one, else built from parts. */
function connectionUrl(system: string, attrs: Attrs): string | undefined {
  const cs = str(attrs['db.connection_string']);
  if (cs !== undefined && cs.includes('://')) return withoutPassword(cs.startsWith('jdbc:') ? cs.slice(5) : cs);
  const host = str(attrs['server.address']) ?? str(attrs['net.peer.name']);
  const name = str(attrs['db.namespace']) ?? str(attrs['db.name']);
  if (host === undefined && name === undefined) return undefined;
  const port = portString(attrs['server.port']) ?? portString(attrs['net.peer.port']);
  let url = system + '://' + (host ?? '') + (host !== undefined && port !== undefined ? ':' + port : '');
  if (name !== undefined) url += name.startsWith('/') ? name : '/' + name;
  return url;
}

/** Drops `:password@` from URL-style and `password=…` from key/value connection strings. */
export function withoutPassword(cs: string): string {
  return cs
    .replace(/(\/\/[^:/@]*):[^@/]*@/, '$1@')
    .replace(/(^|;)\s*(password|pwd)\s*=[^;]*/gi, '$1');
}
