/**
 * `rootcause.json = #[…]`, approximately: the literal is a list of root causes shaped like
 * GetTraceSummaries' `FaultRootCauses` (`[{ "Services": [{ "Name", "Names", "Type",
 * "Inferred", "EntityPath": [{ "Name", "Exceptions": [{ "Name" }] }] }] }]`). A literal
 * root cause matches when every service it lists matches one of the trace's root causes
 * (fault, error or response time): the fields it gives are equal and every entity and
 * exception name it lists appears on that root cause's path. Fields it leaves out match
 * anything; other fields are ignored. `#[]` matches traces without root causes.
 */
import type { FilterRootCause, FilterTrace } from './model.ts';

/** Compiles the literal into a test over a trace's root causes. */
export function compileRootCauseJson(literal: unknown): (t: FilterTrace) => boolean {
  const wanted = (Array.isArray(literal) ? literal : [literal]).map((cause) => servicesOf(cause));
  return (t) => {
    const fault = t.faultRootCauses ?? [];
    const error = t.errorRootCauses ?? [];
    const slow = t.responseTimeRootCauses ?? [];
    if (wanted.length === 0) return fault.length + error.length + slow.length === 0;
    for (const services of wanted) {
      if (services.every((s) => fault.some(s) || error.some(s) || slow.some(s))) return true;
    }
    return false;
  };
}

type CauseTest = (cause: FilterRootCause) => boolean;

function servicesOf(cause: unknown): CauseTest[] {
  const services = field(cause, 'Services');
  return Array.isArray(services) ? services.map(serviceTest) : [];
}

function serviceTest(service: unknown): CauseTest {
  const name = field(service, 'Name');
  const names = field(service, 'Names');
  const type = field(service, 'Type');
  const inferred = field(service, 'Inferred');
  const path = field(service, 'EntityPath');
  const entities = Array.isArray(path) ? path : [];
  return (cause) => {
    const s = cause.service;
    if (typeof name === 'string' && s.name !== name) return false;
    if (Array.isArray(names) && names.length > 0 && !names.includes(s.name)) return false;
    if (typeof type === 'string' && s.type !== type) return false;
    if (typeof inferred === 'boolean' && s.inferred !== inferred) return false;
    return entities.every((wantedEntity) => {
      const entityName = field(wantedEntity, 'Name');
      const exceptions = field(wantedEntity, 'Exceptions');
      return cause.entities.some(
        (e) =>
          (typeof entityName !== 'string' || e.name === entityName) &&
          (!Array.isArray(exceptions) || exceptions.every((x) => e.exceptions.some((have) => typeof field(x, 'Name') !== 'string' || have.name === field(x, 'Name')))),
      );
    });
  };
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}
