/* The DISTRIBUTED Map's configuration objects: ItemReader, ItemBatcher, ResultWriter, Label. */
import type { QueryLanguage } from '../types.js';
import { at, has, isRecord, kindOf, type Ctx, type JsonRecord, type StateCtx } from './context.js';
import { checkOptional, exclusive, unknownKeys } from './field-checks.js';
import { checkObjectTemplate, checkPathField } from './paths.js';
import { checkJsonataString, checkJsonataTemplate } from './query-language.js';
import { isPositiveInteger } from './values.js';

// A batch goes to one child execution, whose input is limited to 256 KiB.
const MAX_BATCH_BYTES = 262_144;
const MAX_LABEL_LENGTH = 40;

export function checkDistributedFields(sc: StateCtx): void {
  const { ctx, state, path, lang } = sc;
  if (has(state, 'ItemReader')) checkItemReader(ctx, at(path, 'ItemReader'), state.ItemReader, lang);
  if (has(state, 'ItemBatcher')) checkItemBatcher(ctx, at(path, 'ItemBatcher'), state.ItemBatcher, lang);
  if (has(state, 'ResultWriter')) checkResultWriter(ctx, at(path, 'ResultWriter'), state.ResultWriter, lang);
  if (has(state, 'Label')) {
    const label = state.Label;
    if (typeof label !== 'string') ctx.report(at(path, 'Label'), `must be a string, got ${kindOf(label)}`);
    else if (label.length > MAX_LABEL_LENGTH) ctx.report(at(path, 'Label'), `must be at most ${MAX_LABEL_LENGTH} characters`);
  }
}

function asObject(ctx: Ctx, path: string, value: unknown): JsonRecord | undefined {
  if (isRecord(value)) return value;
  ctx.report(path, `must be an object, got ${kindOf(value)}`);
  return undefined;
}

/** Parameters (JSONPath) or Arguments (JSONata) of a reader or writer. */
function checkInvocation(ctx: Ctx, path: string, obj: JsonRecord, lang: QueryLanguage): void {
  if (lang === 'JSONPath' && has(obj, 'Parameters')) checkObjectTemplate(ctx, at(path, 'Parameters'), obj.Parameters);
  if (lang === 'JSONata' && has(obj, 'Arguments')) {
    const args = obj.Arguments;
    if (isRecord(args)) checkJsonataTemplate(ctx, at(path, 'Arguments'), args);
    else if (typeof args !== 'string' || !checkJsonataString(ctx, at(path, 'Arguments'), args)) {
      ctx.report(at(path, 'Arguments'), `must be an object or a JSONata expression "{% ... %}", got ${kindOf(args)}`);
    }
  }
}

function checkResource(ctx: Ctx, path: string, obj: JsonRecord, required: boolean): void {
  if (!has(obj, 'Resource')) {
    if (required) ctx.report(at(path, 'Resource'), 'missing: needs "Resource"');
  } else if (typeof obj.Resource !== 'string' || obj.Resource === '') {
    ctx.report(at(path, 'Resource'), 'must be a non-empty string (a resource URI)');
  }
}

function checkItemReader(ctx: Ctx, path: string, value: unknown, lang: QueryLanguage): void {
  const reader = asObject(ctx, path, value);
  if (!reader) return;
  unknownKeys(ctx, path, reader, ['Resource', lang === 'JSONPath' ? 'Parameters' : 'Arguments', 'ReaderConfig'], `an ItemReader of a ${lang} state`);
  checkResource(ctx, path, reader, true);
  checkInvocation(ctx, path, reader, lang);
  if (!has(reader, 'ReaderConfig')) return;
  const configPath = at(path, 'ReaderConfig');
  const config = asObject(ctx, configPath, reader.ReaderConfig);
  if (!config) return;
  checkOptional(ctx, configPath, config, 'MaxItems', lang, isPositiveInteger, 'a positive integer');
  if (lang === 'JSONPath') {
    exclusive(ctx, configPath, config, 'MaxItems', 'MaxItemsPath');
    if (has(config, 'MaxItemsPath')) checkPathField(ctx, at(configPath, 'MaxItemsPath'), config.MaxItemsPath, { reference: true, external: true });
  }
}

function checkItemBatcher(ctx: Ctx, path: string, value: unknown, lang: QueryLanguage): void {
  const batcher = asObject(ctx, path, value);
  if (!batcher) return;
  const limits = lang === 'JSONPath' ? ['MaxItemsPerBatch', 'MaxItemsPerBatchPath', 'MaxInputBytesPerBatch', 'MaxInputBytesPerBatchPath'] : ['MaxItemsPerBatch', 'MaxInputBytesPerBatch'];
  unknownKeys(ctx, path, batcher, [...limits, 'BatchInput'], `an ItemBatcher of a ${lang} state`);
  if (!limits.some((f) => has(batcher, f))) ctx.report(at(path, 'MaxItemsPerBatch'), `missing: an ItemBatcher needs at least one of ${limits.join(', ')}`);
  checkOptional(ctx, path, batcher, 'MaxItemsPerBatch', lang, isPositiveInteger, 'a positive integer');
  const isBytes = (v: unknown): boolean => isPositiveInteger(v) && v <= MAX_BATCH_BYTES;
  checkOptional(ctx, path, batcher, 'MaxInputBytesPerBatch', lang, isBytes, `a positive integer up to ${MAX_BATCH_BYTES}`);
  if (lang === 'JSONPath') {
    for (const field of ['MaxItemsPerBatch', 'MaxInputBytesPerBatch']) {
      exclusive(ctx, path, batcher, field, `${field}Path`);
      if (has(batcher, `${field}Path`)) checkPathField(ctx, at(path, `${field}Path`), batcher[`${field}Path`], { reference: true, external: true });
    }
    if (has(batcher, 'BatchInput')) checkObjectTemplate(ctx, at(path, 'BatchInput'), batcher.BatchInput);
  } else if (has(batcher, 'BatchInput')) {
    checkJsonataTemplate(ctx, at(path, 'BatchInput'), batcher.BatchInput);
  }
}

function checkResultWriter(ctx: Ctx, path: string, value: unknown, lang: QueryLanguage): void {
  const writer = asObject(ctx, path, value);
  if (!writer) return;
  unknownKeys(ctx, path, writer, ['Resource', lang === 'JSONPath' ? 'Parameters' : 'Arguments', 'WriterConfig'], `a ResultWriter of a ${lang} state`);
  // Resource may be left out when only WriterConfig shapes the result.
  checkResource(ctx, path, writer, !has(writer, 'WriterConfig'));
  checkInvocation(ctx, path, writer, lang);
  if (has(writer, 'WriterConfig')) asObject(ctx, at(path, 'WriterConfig'), writer.WriterConfig);
}
