/**
 * Realistic X-Ray documents for the filter tests: the fetcher/archiver system's own traces
 * as the emitter and the OTel collector would send them (independent subsegments for the
 * fetcher, embedded ones for the archiver), one per situation the console must find.
 */
import { buildFilterTrace } from '../../src/model/build.ts';
import type { FilterTrace } from '../../src/model/model.ts';

const T0 = 1732700000;

/** fetcher GET → upstream example.com (200) → POST archiver (201) → archiver + sqlite. */
export function fetchedAndArchived(): object[] {
  const trace_id = '1-6746f0e0-a1b2c3d4e5f6a7b8c9d0e1f2';
  return [
    {
      name: 'fetcher', id: 'f000000000000001', trace_id, start_time: T0, end_time: T0 + 0.42,
      http: { request: { method: 'GET', url: 'http://127.0.0.1:8081/fetch/https://example.com/page', client_ip: '127.0.0.1', user_agent: 'fetcher-cli/0.1' }, response: { status: 200, content_length: 96 } },
      annotations: { remote_url: 'https://example.com/page', remote_status: 200 },
      aws: { xray: { sdk: 'opentelemetry for nodejs', sdk_version: '3.1.1' } },
      user: 'alice',
    },
    {
      type: 'subsegment', name: 'example.com', id: 'f000000000000002', parent_id: 'f000000000000001', trace_id, namespace: 'remote',
      start_time: T0 + 0.01, end_time: T0 + 0.25,
      http: { request: { method: 'GET', url: 'https://example.com/page' }, response: { status: 200, content_length: 5120 } },
    },
    {
      type: 'subsegment', name: 'archiver', id: 'f000000000000003', parent_id: 'f000000000000001', trace_id, namespace: 'remote', traced: true,
      start_time: T0 + 0.26, end_time: T0 + 0.41,
      http: { request: { method: 'POST', url: 'http://127.0.0.1:8080/archive' }, response: { status: 201 } },
    },
    {
      name: 'archiver', id: 'a000000000000001', parent_id: 'f000000000000003', trace_id, start_time: T0 + 0.27, end_time: T0 + 0.40,
      http: { request: { method: 'POST', url: 'http://127.0.0.1:8080/archive', client_ip: '127.0.0.1' }, response: { status: 201 } },
      annotations: { archive_id: '01JDQ0Z8K3M4N5P6Q7R8S9T0VW' },
      subsegments: [
        {
          name: 'sqlite', id: 'a000000000000002', namespace: 'remote', start_time: T0 + 0.3, end_time: T0 + 0.32,
          sql: { database_type: 'sqlite', sanitized_query: 'INSERT INTO archive VALUES (?, ?, ?)', url: 'file:./data/archive.db' },
        },
      ],
    },
  ];
}

/** archiver-cli read of a missing id: the archiver answers 404. */
export function notFound(): object[] {
  return [
    {
      name: 'archiver', id: 'b000000000000001', trace_id: '1-6746f0e1-b1b2c3d4e5f6a7b8c9d0e1f2', start_time: T0 + 1, end_time: T0 + 1.004,
      http: { request: { method: 'GET', url: 'http://127.0.0.1:8080/archive/01JDQ0Z8K3M4N5P6Q7R8S9T0XX', user_agent: 'archiver-cli/0.1' }, response: { status: 404 } },
      error: true,
    },
  ];
}

/** The upstream rate-limits the fetcher (429); the fetcher still archives and answers 200. */
export function throttledUpstream(): object[] {
  return [
    {
      name: 'fetcher', id: 'c000000000000001', trace_id: '1-6746f0e2-c1b2c3d4e5f6a7b8c9d0e1f2', start_time: T0 + 2, end_time: T0 + 2.3,
      http: { request: { method: 'GET', url: 'http://127.0.0.1:8081/fetch/https://api.example.org/items' }, response: { status: 200 } },
      annotations: { remote_url: 'https://api.example.org/items', remote_status: 429 },
      subsegments: [
        {
          name: 'api.example.org', id: 'c000000000000002', namespace: 'remote', start_time: T0 + 2.01, end_time: T0 + 2.1,
          http: { request: { method: 'GET', url: 'https://api.example.org/items' }, response: { status: 429 } }, error: true, throttle: true,
        },
        {
          name: 'archiver', id: 'c000000000000003', namespace: 'remote', start_time: T0 + 2.11, end_time: T0 + 2.29,
          http: { request: { method: 'POST', url: 'http://127.0.0.1:8080/archive' }, response: { status: 201 } },
        },
      ],
    },
  ];
}

/** The archiver's database fails: archiver 500 with an exception, fetcher answers 503. */
export function archiverFault(): object[] {
  const trace_id = '1-6746f0e3-d1b2c3d4e5f6a7b8c9d0e1f2';
  return [
    {
      name: 'fetcher', id: 'd000000000000001', trace_id, start_time: T0 + 3, end_time: T0 + 8.5, fault: true,
      http: { request: { method: 'POST', url: 'http://127.0.0.1:8081/fetch' }, response: { status: 503 } },
      annotations: { remote_url: 'https://example.com/big', remote_status: 200 },
      subsegments: [
        { name: 'example.com', id: 'd000000000000002', namespace: 'remote', start_time: T0 + 3.01, end_time: T0 + 3.5, http: { request: { method: 'GET', url: 'https://example.com/big' }, response: { status: 200 } } },
        {
          name: 'archiver', id: 'd000000000000003', namespace: 'remote', start_time: T0 + 3.5, end_time: T0 + 8.4, fault: true,
          http: { request: { method: 'POST', url: 'http://127.0.0.1:8080/archive' }, response: { status: 500 } },
          cause: { exceptions: [{ id: 'e000000000000001', type: 'HTTPError', message: 'archiver answered 500', remote: true }] },
        },
      ],
    },
    {
      name: 'archiver', id: 'd000000000000004', parent_id: 'd000000000000003', trace_id, start_time: T0 + 3.51, end_time: T0 + 8.39, fault: true,
      http: { request: { method: 'POST', url: 'http://127.0.0.1:8080/archive' }, response: { status: 500 } },
      subsegments: [
        {
          name: 'sqlite', id: 'd000000000000005', namespace: 'remote', start_time: T0 + 3.52, end_time: T0 + 8.38, fault: true,
          sql: { database_type: 'sqlite', sanitized_query: 'INSERT INTO archive VALUES (?, ?, ?)' },
          cause: { working_directory: '/srv', exceptions: [{ id: 'e000000000000002', type: 'SqliteError', message: 'database is locked', stack: [{ path: 'src/archiver/store/sqlite.ts', line: 88, label: 'insert' }] }] },
        },
      ],
    },
  ];
}

/** A fetch still running: the fetcher sent an in-progress segment and subsegment. */
export function inProgress(): object[] {
  const trace_id = '1-6746f0e4-e1b2c3d4e5f6a7b8c9d0e1f2';
  return [
    { name: 'fetcher', id: 'e000000000000010', trace_id, start_time: T0 + 4, in_progress: true, http: { request: { method: 'GET', url: 'http://127.0.0.1:8081/fetch/https://slow.example.net/' } } },
    { type: 'subsegment', name: 'slow.example.net', id: 'e000000000000011', parent_id: 'e000000000000010', trace_id, namespace: 'remote', start_time: T0 + 4.01, end_time: T0 + 9.01, http: { request: { method: 'GET', url: 'https://slow.example.net/' }, response: { status: 200 } } },
  ];
}

/** A Lambda-style trace with an AWS SDK call (DynamoDB), origin, user and EC2 metadata. */
export function awsCall(): object[] {
  return [
    {
      name: 'users', id: 'g000000000000001', trace_id: '1-6746f0e5-f1b2c3d4e5f6a7b8c9d0e1f2', start_time: T0 + 5, end_time: T0 + 5.9, origin: 'AWS::EC2::Instance',
      user: 'bob', resource_arn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0abc',
      aws: { account_id: '123456789012', ec2: { instance_id: 'i-0abc', availability_zone: 'us-east-1a' } },
      http: { request: { method: 'GET', url: 'https://api.example.com/users/7', user_agent: 'Mozilla/5.0' }, response: { status: 200 } },
      annotations: { age: 31, premium: true, gameid: '817DL6VO' },
      subsegments: [
        { name: 'DynamoDB', id: 'g000000000000002', namespace: 'aws', start_time: T0 + 5.1, end_time: T0 + 5.8, aws: { operation: 'GetItem', table_name: 'users', region: 'us-east-1' }, http: { response: { status: 200 } } },
        { name: 'render', id: 'g000000000000003', start_time: T0 + 5.81, end_time: T0 + 5.85, annotations: { age: 'thirty-one', premium: false } },
      ],
    },
  ];
}

/** Every fixture, built, by name. */
export function fixtureTraces(): Record<string, FilterTrace> {
  return {
    archived: buildFilterTrace(fetchedAndArchived()),
    notFound: buildFilterTrace(notFound()),
    throttled: buildFilterTrace(throttledUpstream()),
    fault: buildFilterTrace(archiverFault()),
    inProgress: buildFilterTrace(inProgress()),
    aws: buildFilterTrace(awsCall()),
  };
}
