/** The sampling family: GetSamplingRules and GetSamplingTargets for the X-Ray SDKs' samplers. */
import type { XRayFamily } from './operation.ts';

export const samplingOperations: XRayFamily = ({ sampling }) => [
  { name: 'GetSamplingRules', path: '/GetSamplingRules', handler: (body) => sampling.getSamplingRules(body) },
  { name: 'GetSamplingTargets', path: '/SamplingTargets', handler: (body) => sampling.getSamplingTargets(body) },
];
