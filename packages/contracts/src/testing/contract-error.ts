import { ContractError } from '../errors';

/** Runs `fn` and returns the ContractError it throws; fails when it throws nothing or something else. */
export function contractError(fn: () => unknown): ContractError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ContractError) return error;
    throw error;
  }
  throw new Error('expected a ContractError, nothing was thrown');
}
