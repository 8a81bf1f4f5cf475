import type { StateHandlers } from '../run.js';
import { enterChoice } from './choice.js';
import { enterFail } from './fail.js';
import { enterMap, mapChildEnded, mapLaunchMore } from './map.js';
import { enterParallel, parallelChildEnded } from './parallel.js';
import { enterPass } from './pass.js';
import { enterSucceed } from './succeed.js';
import { enterTask } from './task.js';
import { enterWait } from './wait.js';

export const stateHandlers: StateHandlers = {
  enter: {
    Task: enterTask,
    Pass: enterPass,
    Choice: enterChoice,
    Wait: enterWait,
    Succeed: enterSucceed,
    Fail: enterFail,
    Parallel: enterParallel,
    Map: enterMap,
  },
  childEnded: { Parallel: parallelChildEnded, Map: mapChildEnded },
  launchMore: { Map: mapLaunchMore },
};
