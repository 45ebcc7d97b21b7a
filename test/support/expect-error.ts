/** Asserts that a promise rejects with a 23ke error of the given reason; returns the error. */
import { expect } from "vitest";
import { TwentyThreeKeError, describeError } from "../../src/errors/errors.js";

export async function expectError(p: Promise<unknown>, reason: string): Promise<TwentyThreeKeError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TwentyThreeKeError);
  const err = e as TwentyThreeKeError;
  expect(err.reason, describeError(err)).toBe(reason);
  return err;
}
