/*
 * Map: one child frame per item (or per batch with ItemBatcher), at most MaxConcurrency at
 * a time (0 = no limit). Item inputs are made when an iteration is launched, not up front,
 * so a large Map holds only its items and the results so far. Failed iterations count
 * against ToleratedFailureCount/Percentage; past the threshold the running iterations are
 * aborted and the Map fails.
 */
import { StatesExceedToleratedFailureThreshold, StatesRuntime } from '../../errors.js';
import { NOT_FOUND } from '../../jsonpath.js';
import type { ItemBatcher, Json, MapState } from '../../types.js';
import { discardsResult, dynamicField, effectiveInput, finishWithResult, jsonataEnv, pathEnv } from '../dataflow.js';
import { requireTemplate } from '../jsonata-dataflow.js';
import { applyPayloadTemplate, readInputOrContext } from '../jsonpath-dataflow.js';
import type { ChildEndedHandler, Run, StateHandler } from '../run.js';
import type { ChildGroup, Frame } from '../state.js';

/** DISTRIBUTED Maps run inline here, with the same results and a Map Run's events. */
function isDistributed(state: MapState): boolean {
  return (state.ItemProcessor ?? state.Iterator)?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

async function readItems(run: Run, frame: Frame, state: MapState, input: Json): Promise<Json> {
  if (state.ItemReader !== undefined || state.ResultWriter !== undefined) {
    // Reading items from and writing results to the object store needs the storage integration.
    throw new StatesRuntime(`Map state '${frame.stateName}': ItemReader and ResultWriter are not supported by this runtime yet`);
  }
  if (run.language(frame) === 'JSONata') {
    return state.Items === undefined ? input : requireTemplate(state.Items, jsonataEnv(run, frame), 'Items');
  }
  if (state.ItemsPath === undefined) return input;
  const items = readInputOrContext(state.ItemsPath, input, run.contextObject(frame), run.variables(frame));
  if (items === NOT_FOUND) throw new StatesRuntime(`Invalid path '${state.ItemsPath}' : No results for path: ${state.ItemsPath}`);
  return items as Json;
}

async function count(run: Run, frame: Frame, input: Json, value: unknown, path: string | undefined, field: string, max?: number): Promise<number | undefined> {
  const v = await dynamicField(run, frame, input, value, path, field);
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || n < 0 || (max !== undefined && n > max) || !Number.isFinite(n)) {
    throw new StatesRuntime(`Map state '${frame.stateName}': ${field} must be a number between 0 and ${max ?? 'infinity'}, got ${JSON.stringify(v)}`);
  }
  return n;
}

async function selectItem(run: Run, frame: Frame, state: MapState, input: Json, value: Json, index: number): Promise<Json> {
  const selector = state.ItemSelector ?? (run.language(frame) === 'JSONPath' ? state.Parameters : undefined);
  if (selector === undefined) return value;
  const context = { Map: { Item: { Index: index, Value: value } } };
  if (run.language(frame) === 'JSONata') return requireTemplate(selector, jsonataEnv(run, frame, { context }), 'ItemSelector');
  return applyPayloadTemplate(selector, input, pathEnv(run, frame, context));
}

async function batch(run: Run, frame: Frame, state: MapState, batcher: ItemBatcher, input: Json, items: Json[]): Promise<Json[]> {
  const maxItems = (await count(run, frame, input, batcher.MaxItemsPerBatch, batcher.MaxItemsPerBatchPath, 'MaxItemsPerBatch')) ?? Infinity;
  const maxBytes = (await count(run, frame, input, batcher.MaxInputBytesPerBatch, batcher.MaxInputBytesPerBatchPath, 'MaxInputBytesPerBatch')) ?? 256 * 1024;
  let batchInput: Json | undefined;
  if (batcher.BatchInput !== undefined) {
    batchInput = run.language(frame) === 'JSONata' ? await requireTemplate(batcher.BatchInput, jsonataEnv(run, frame), 'ItemBatcher.BatchInput') : applyPayloadTemplate(batcher.BatchInput, input, pathEnv(run, frame));
  }
  const batches: Json[] = [];
  let current: Json[] = [];
  let bytes = 0;
  const flush = () => {
    if (current.length === 0) return;
    batches.push(batchInput === undefined ? { Items: current } : { BatchInput: batchInput, Items: current });
    current = [];
    bytes = 0;
  };
  for (const [index, item] of items.entries()) {
    const selected = await selectItem(run, frame, state, input, item, index);
    const size = Buffer.byteLength(JSON.stringify(selected));
    if (current.length > 0 && (current.length >= maxItems || bytes + size > maxBytes)) flush();
    current.push(selected);
    bytes += size;
  }
  flush();
  return batches;
}

export const enterMap: StateHandler = async (run, frame, s) => {
  const state = s as MapState;
  const input = effectiveInput(run, frame, state);
  const items = await readItems(run, frame, state, input);
  if (!Array.isArray(items)) {
    throw new StatesRuntime(`Map state '${frame.stateName}': the items to process must be a JSON array, got ${items === null ? 'null' : typeof items}`);
  }
  const maxConcurrency = (await count(run, frame, input, state.MaxConcurrency, state.MaxConcurrencyPath, 'MaxConcurrency')) ?? 0;
  const tolCount = await count(run, frame, input, state.ToleratedFailureCount, state.ToleratedFailureCountPath, 'ToleratedFailureCount');
  const tolPct = await count(run, frame, input, state.ToleratedFailurePercentage, state.ToleratedFailurePercentagePath, 'ToleratedFailurePercentage', 100);
  const batched = state.ItemBatcher ? await batch(run, frame, state, state.ItemBatcher, input, items) : items;
  run.emit(frame, 'MapStateStarted', { mapStateStartedEventDetails: { length: batched.length } });
  const distributed = isDistributed(state);
  if (distributed) run.emit(frame, 'MapRunStarted', { mapRunStartedEventDetails: { mapRunArn: `${run.state.context.Execution.Id}/${frame.stateName}` } });
  const group: ChildGroup = {
    kind: 'map',
    items: batched,
    results: new Array<Json>(batched.length).fill(null),
    launched: 0,
    finished: 0,
    failed: 0,
    running: {},
    maxConcurrency: Math.floor(maxConcurrency),
    // -1 marks "not configured": any failure then fails an inline Map with the iteration's own
    // error. A distributed Map run always has a threshold (0 by default) and fails with
    // States.ExceedToleratedFailureThreshold.
    toleratedFailureCount: tolCount ?? (distributed && tolPct === undefined ? 0 : -1),
    toleratedFailurePercentage: tolPct ?? -1,
    effectiveInput: input,
  };
  if (batched.length === 0) {
    if (distributed) run.emit(frame, 'MapRunSucceeded');
    run.emit(frame, 'MapStateSucceeded');
    await finishWithResult(run, frame, state, []);
    return;
  }
  frame.children = group;
  frame.wait = { kind: 'children' };
  await launch(run, frame, state, group);
};

async function launch(run: Run, frame: Frame, state: MapState, group: ChildGroup): Promise<void> {
  const machineId = run.machine(frame).children[frame.stateName]?.[0] as number;
  const startAt = run.compiled.machines[machineId]?.startAt as string;
  const selectNow = state.ItemBatcher === undefined;
  while (group.launched < group.items.length && (group.maxConcurrency === 0 || group.launched - group.finished < group.maxConcurrency)) {
    // Launched iterations are state the runtime stores at every yield: launch no more than
    // the step budget lets run, rather than park thousands of them.
    if (!run.spendTransition()) {
      run.parkLaunches(frame);
      return;
    }
    const index = group.launched++;
    const item = group.items[index] as Json;
    const iterationInput = selectNow ? await selectItem(run, frame, state, group.effectiveInput, item, index) : item;
    const eventId = run.emit(frame, 'MapIterationStarted', { mapIterationStartedEventDetails: { name: frame.stateName, index } });
    const child = run.createFrame(machineId, frame, index, eventId);
    group.running[child.id] = index;
    run.enter(child, startAt, iterationInput);
  }
}

function exceedsTolerance(group: ChildGroup): boolean {
  const total = group.items.length;
  if (group.toleratedFailureCount < 0 && group.toleratedFailurePercentage < 0) return group.failed > 0;
  if (group.toleratedFailureCount >= 0 && group.failed > group.toleratedFailureCount) return true;
  if (group.toleratedFailurePercentage >= 0 && (group.failed * 100) / total > group.toleratedFailurePercentage) return true;
  return false;
}

export const mapChildEnded: ChildEndedHandler = async (run, parent, child, outcome) => {
  const group = parent.children;
  if (!group) return;
  delete group.running[child.id];
  group.finished++;
  const details = { name: parent.stateName, index: child.index };
  const state = run.currentState(parent) as MapState;
  if ('error' in outcome) {
    group.failed++;
    group.results[child.index] = discardsResult(run, parent, state) ? null : { Error: outcome.error.error, Cause: outcome.error.cause };
    run.emit(parent, 'MapIterationFailed', { mapIterationFailedEventDetails: details });
    if (exceedsTolerance(group)) {
      for (const [id, index] of Object.entries(group.running)) {
        const sibling = run.frame(id);
        if (sibling) run.abortFrame(sibling);
        run.emit(parent, 'MapIterationAborted', { mapIterationAbortedEventDetails: { name: parent.stateName, index } });
      }
      delete parent.children;
      delete parent.wait;
      if (isDistributed(state)) run.emit(parent, 'MapRunFailed');
      run.emit(parent, 'MapStateFailed');
      const configured = group.toleratedFailureCount >= 0 || group.toleratedFailurePercentage >= 0;
      const err = configured
        ? new StatesExceedToleratedFailureThreshold(`The number of failed items (${group.failed}) exceeds the tolerated failure threshold of Map state '${parent.stateName}'`)
        : outcome.error;
      await run.handleError(parent, err);
      return;
    }
  } else {
    group.results[child.index] = discardsResult(run, parent, state) ? null : outcome.output;
    run.emit(parent, 'MapIterationSucceeded', { mapIterationSucceededEventDetails: details });
  }
  if (group.finished < group.items.length) {
    await launch(run, parent, state, group);
    return;
  }
  delete parent.children;
  delete parent.wait;
  if (isDistributed(state)) run.emit(parent, 'MapRunSucceeded');
  run.emit(parent, 'MapStateSucceeded');
  await finishWithResult(run, parent, state, group.results);
};

/** The continue timer after a Map stopped launching: launch the iterations it still may. */
export async function mapLaunchMore(run: Run, frame: Frame): Promise<void> {
  const group = frame.children;
  if (!group) return;
  await launch(run, frame, run.currentState(frame) as MapState, group);
}
