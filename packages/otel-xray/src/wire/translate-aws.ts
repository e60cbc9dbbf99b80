/**
 * AWS data (XRAY-REFERENCE §3.5, §4.7): the subsegment `aws` block of AWS SDK calls and
 * the resource-derived parts of a segment (`aws.xray`, `aws.account_id`, `origin`,
 * `service.version`, `otel.resource.*` metadata). Resource results are cached per
 * resource attributes object: a process has one resource, so this runs once, not per span.
 */
import type { Aws } from './types.ts';
import type { Attrs } from './translate-values.ts';
import { str } from './translate-values.ts';
import { isAwsSdkSpan } from './translate-name.ts';

/** Attributes the subsegment aws block consumes when it exists. */
export const AWS_KEYS: ReadonlySet<string> = new Set([
  'aws.operation', 'aws.account_id', 'aws.region', 'aws.request_id', 'aws.requestId', 'aws.queue_url',
  'aws.queue.url', 'aws.table_name', 'aws.table.name', 'aws.dynamodb.table_names',
]);

/** The `aws` block of an AWS SDK subsegment, or undefined. */
export function makeSubsegmentAws(attrs: Attrs): Aws | undefined {
  const aws: Aws = {};
  let any = false;
  let v: string | undefined;
  const operation = str(attrs['aws.operation']) ?? (isAwsSdkSpan(attrs) ? str(attrs['rpc.method']) : undefined);
  if (operation !== undefined) { aws.operation = operation; any = true; }
  if ((v = str(attrs['aws.account_id'])) !== undefined) { aws.account_id = v; any = true; }
  if ((v = str(attrs['aws.region'])) !== undefined) { aws.region = v; any = true; }
  if ((v = str(attrs['aws.request_id']) ?? str(attrs['aws.requestId'])) !== undefined) { aws.request_id = v; any = true; }
  if ((v = str(attrs['aws.queue_url']) ?? str(attrs['aws.queue.url']) ?? (isAwsSdkSpan(attrs) ? str(attrs['messaging.url']) : undefined)) !== undefined) { aws.queue_url = v; any = true; }
  if ((v = str(attrs['aws.table_name']) ?? str(attrs['aws.table.name'])) !== undefined) { aws.table_name = v; any = true; }
  const tables = attrs['aws.dynamodb.table_names'];
  if (Array.isArray(tables) && tables.length > 0) {
    if (tables.length === 1) aws.table_name = String(tables[0]);
    else aws.table_names = tables.map(String);
    any = true;
  }
  return any ? aws : undefined;
}

/** What a segment takes from its resource. */
export interface ResourceInfo {
  /** `aws` block (xray sdk info, account id), undefined off AWS-compatible resources. */
  aws: Aws | undefined;
  /** `origin` from `cloud.platform`. */
  origin: string | undefined;
  /** `service.version` or `container.image.tag`. */
  version: string | undefined;
  /** `otel.resource.<key>` → value for every resource attribute not consumed above. */
  metadata: ReadonlyArray<readonly [string, unknown]>;
}

const CONSUMED_RESOURCE_KEYS: ReadonlySet<string> = new Set([
  'service.version', 'telemetry.sdk.name', 'telemetry.sdk.language', 'telemetry.sdk.version', 'telemetry.auto.version',
]);

const cache = new WeakMap<object, ResourceInfo>();

/** The segment parts derived from `resource`, computed once per resource object. */
export function resourceInfo(resource: Attrs): ResourceInfo {
  let info = cache.get(resource);
  if (info === undefined) {
    info = computeResourceInfo(resource);
    cache.set(resource, info);
  }
  return info;
}

function computeResourceInfo(resource: Attrs): ResourceInfo {
  const metadata: Array<readonly [string, unknown]> = [];
  for (const key in resource) {
    const value = resource[key];
    if (value !== undefined && !CONSUMED_RESOURCE_KEYS.has(key)) metadata.push(['otel.resource.' + key, value]);
  }
  return {
    aws: resourceAws(resource),
    origin: origin(resource),
    version: str(resource['service.version']) ?? str(resource['container.image.tag']),
    metadata,
  };
}

function resourceAws(resource: Attrs): Aws | undefined {
  const provider = str(resource['cloud.provider']);
  if (provider !== undefined && provider !== 'aws') return undefined;
  const aws: Aws = {};
  const sdkName = str(resource['telemetry.sdk.name']);
  const language = str(resource['telemetry.sdk.language']);
  if (sdkName !== undefined || language !== undefined) {
    aws.xray = { sdk: (sdkName ?? 'opentelemetry') + ' for ' + (language ?? 'unknown') };
    const version = str(resource['telemetry.sdk.version']);
    if (version !== undefined) aws.xray.sdk_version = version;
    if (resource['telemetry.auto.version'] !== undefined) aws.xray.auto_instrumentation = true;
  }
  const account = str(resource['cloud.account.id']);
  if (account !== undefined) aws.account_id = account;
  return aws.xray === undefined && aws.account_id === undefined ? undefined : aws;
}

function origin(resource: Attrs): string | undefined {
  switch (resource['cloud.platform']) {
    case 'aws_ec2': return 'AWS::EC2::Instance';
    case 'aws_ecs': {
      const launch = str(resource['aws.ecs.launchtype'])?.toLowerCase();
      return launch === 'ec2' ? 'AWS::ECS::EC2' : launch === 'fargate' ? 'AWS::ECS::Fargate' : 'AWS::ECS::Container';
    }
    case 'aws_eks': return 'AWS::EKS::Container';
    case 'aws_elastic_beanstalk': return 'AWS::ElasticBeanstalk::Environment';
    case 'aws_app_runner': return 'AWS::AppRunner::Service';
    default: return undefined;
  }
}
