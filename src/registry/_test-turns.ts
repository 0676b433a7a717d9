import { setImmediate as nextTurn } from 'node:timers/promises';

/** Turns of the event loop counted since countTurns() was called. */
export interface TurnCounter {
  /** Turns so far. */
  readonly turns: number;
  /** Stops counting (after the next turn). */
  stop(): Promise<void>;
}

/**
 * Counts the turns of the event loop from now until stop(): a test's way to see that work let other requests in,
 * without timing it. Work run on the main thread in one go finishes before the first turn is counted.
 */
export function countTurns(): TurnCounter {
  let turns = 0;
  let stopped = false;
  const spinning = (async () => {
    while (!stopped) {
      await nextTurn();
      turns++;
    }
  })();
  return {
    get turns() {
      return turns;
    },
    stop: async () => {
      stopped = true;
      await spinning;
    },
  };
}
