/*
 * Map: runs a nested machine body (ItemProcessor, or its legacy name Iterator) once per item.
 * The fields for large runs (readers, batching, failure tolerance) exist only in DISTRIBUTED mode.
 */
import { at, has, isRecord, kindOf, type StateCtx } from './context.js';
import { checkOptional, exclusive, unknownKeys } from './field-checks.js';
import { checkDistributedFields } from './map-distributed.js';
import { checkObjectTemplate, checkPathField } from './paths.js';
import { checkJsonataString, checkJsonataTemplate } from './query-language.js';
import { isNonNegativeInteger } from './values.js';

const DISTRIBUTED_ONLY = [
  'ItemReader',
  'ItemBatcher',
  'ResultWriter',
  'Label',
  'ToleratedFailurePercentage',
  'ToleratedFailurePercentagePath',
  'ToleratedFailureCount',
  'ToleratedFailureCountPath',
];

export function checkMap(sc: StateCtx): void {
  const { ctx, state, path, lang } = sc;
  const distributed = checkProcessor(sc);

  if (lang === 'JSONPath' && has(state, 'ItemsPath')) {
    checkPathField(ctx, at(path, 'ItemsPath'), state.ItemsPath, { reference: true, external: true });
  }
  if (lang === 'JSONata' && has(state, 'Items')) {
    const items = state.Items;
    if (Array.isArray(items)) checkJsonataTemplate(ctx, at(path, 'Items'), items);
    else if (typeof items !== 'string' || !checkJsonataString(ctx, at(path, 'Items'), items)) {
      ctx.report(at(path, 'Items'), `must be an array or a JSONata expression "{% ... %}", got ${kindOf(items)}`);
    }
  }

  exclusive(ctx, path, state, 'ItemSelector', 'Parameters');
  if (has(state, 'ItemSelector')) checkItemSelector(sc, state.ItemSelector);

  checkOptional(ctx, path, state, 'MaxConcurrency', lang, isNonNegativeInteger, 'a non-negative integer');
  checkOptional(ctx, path, state, 'ToleratedFailureCount', lang, isNonNegativeInteger, 'a non-negative integer');
  const isPercentage = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v <= 100;
  checkOptional(ctx, path, state, 'ToleratedFailurePercentage', lang, isPercentage, 'a number from 0 to 100');
  if (lang === 'JSONPath') {
    for (const field of ['MaxConcurrency', 'ToleratedFailurePercentage', 'ToleratedFailureCount']) {
      exclusive(ctx, path, state, field, `${field}Path`);
      if (has(state, `${field}Path`)) checkPathField(ctx, at(path, `${field}Path`), state[`${field}Path`], { reference: true, external: true });
    }
  }

  if (!distributed) {
    for (const field of DISTRIBUTED_ONLY) {
      // The *Path forms are already reported as JSONPath-only in a JSONata state.
      if (lang === 'JSONata' && field.endsWith('Path')) continue;
      if (has(state, field)) ctx.report(at(path, field), 'is only allowed in a DISTRIBUTED Map (set ItemProcessor.ProcessorConfig.Mode to "DISTRIBUTED")');
    }
  }
  checkDistributedFields(sc);
}

/** Checks ItemProcessor / Iterator and returns whether the Map runs in DISTRIBUTED mode. */
function checkProcessor(sc: StateCtx): boolean {
  const { ctx, state, path } = sc;
  const hasProcessor = has(state, 'ItemProcessor');
  if (!hasProcessor && !has(state, 'Iterator')) {
    ctx.report(at(path, 'ItemProcessor'), 'missing: a Map state needs ItemProcessor (or its legacy name Iterator)');
    return false;
  }
  if (hasProcessor && has(state, 'Iterator')) ctx.report(at(path, 'Iterator'), 'cannot be combined with "ItemProcessor" (Iterator is its legacy name)');
  if (has(state, 'Iterator')) sc.nested(at(path, 'Iterator'), state.Iterator);
  if (!hasProcessor) return false;
  const processor = state.ItemProcessor;
  sc.nested(at(path, 'ItemProcessor'), processor, ['ProcessorConfig']);
  if (!isRecord(processor) || !has(processor, 'ProcessorConfig')) return false;
  return checkProcessorConfig(sc, at(path, 'ItemProcessor.ProcessorConfig'), processor.ProcessorConfig);
}

function checkProcessorConfig(sc: StateCtx, path: string, config: unknown): boolean {
  if (!isRecord(config)) {
    sc.ctx.report(path, `must be an object, got ${kindOf(config)}`);
    return false;
  }
  unknownKeys(sc.ctx, path, config, ['Mode', 'ExecutionType'], 'ProcessorConfig');
  const mode = config.Mode;
  if (mode !== undefined && mode !== 'INLINE' && mode !== 'DISTRIBUTED') sc.ctx.report(at(path, 'Mode'), 'must be "INLINE" or "DISTRIBUTED"');
  const type = config.ExecutionType;
  if (type !== undefined && type !== 'STANDARD' && type !== 'EXPRESS') sc.ctx.report(at(path, 'ExecutionType'), 'must be "STANDARD" or "EXPRESS"');
  if (mode === 'DISTRIBUTED' && type === undefined) sc.ctx.report(at(path, 'ExecutionType'), 'missing: a DISTRIBUTED Map needs ExecutionType "STANDARD" or "EXPRESS"');
  return mode === 'DISTRIBUTED';
}

function checkItemSelector(sc: StateCtx, value: unknown): void {
  const path = at(sc.path, 'ItemSelector');
  if (sc.lang === 'JSONPath') {
    checkObjectTemplate(sc.ctx, path, value);
  } else if (isRecord(value)) {
    checkJsonataTemplate(sc.ctx, path, value, true);
  } else if (typeof value !== 'string' || !checkJsonataString(sc.ctx, path, value)) {
    sc.ctx.report(path, `must be an object or a JSONata expression "{% ... %}", got ${kindOf(value)}`);
  }
}
