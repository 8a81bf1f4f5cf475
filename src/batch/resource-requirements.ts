/*
 * vCPUs and memory as AWS Batch takes them, checked the same way on every path a job's size
 * comes in by (REST, CLI, stack files, job definitions, batch:submitJob's
 * ResourceRequirements). A size the scheduler cannot count, such as 1e-300 vCPUs, would let
 * jobs run past their compute environment's capacity.
 *
 * vCPUs: a whole number of at least 1, as on EC2 compute environments, or Fargate's two
 * fractional sizes, 0.25 and 0.5, which let small jobs share a core. Memory: whole MiB, at
 * least 4 (the smallest AWS Batch's containers take).
 */
import { BadRequestError } from '../errors.js';

export const FRACTIONAL_VCPUS: readonly number[] = [0.25, 0.5];
export const MIN_MEMORY_MIB = 4;

const shown = (value: unknown, as?: string): string => as ?? (typeof value === 'number' ? String(value) : JSON.stringify(value) ?? String(value));

/** What is wrong with `value` as a job's vCPUs, or undefined; `as` is the value as the user wrote it. */
export function vcpusProblem(value: unknown, as?: string): string | undefined {
  if (typeof value === 'number' && (FRACTIONAL_VCPUS.includes(value) || (Number.isInteger(value) && value >= 1))) return undefined;
  return `must be ${FRACTIONAL_VCPUS.join(', ')} or a whole number of at least 1, not ${shown(value, as)}`;
}

/** What is wrong with `value` as a job's memory in MiB, or undefined. */
export function memoryProblem(value: unknown, as?: string): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= MIN_MEMORY_MIB) return undefined;
  return `must be a whole number of MiB, at least ${MIN_MEMORY_MIB}, not ${shown(value, as)}`;
}

/** Throws BadRequest naming the field (`vcpus: must be ...`) when either is wrong. */
export function checkJobResources(resources: { vcpus: number; memory: number }): void {
  const vcpus = vcpusProblem(resources.vcpus);
  if (vcpus) throw new BadRequestError(`vcpus: ${vcpus}`);
  const memory = memoryProblem(resources.memory);
  if (memory) throw new BadRequestError(`memory: ${memory}`);
}
