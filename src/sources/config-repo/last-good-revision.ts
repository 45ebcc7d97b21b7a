/**
 * Keeps the last good revision of a source in force while a newer one is broken (DESIGN.md §6):
 * a revision whose content does not load (a ValidationError, or any other terminal error) is
 * recorded as blocked with its error, and the previous good one stays current. A transient
 * failure (the loader could not run) is rethrown and changes nothing.
 */
import { TerminalError } from "../../errors/errors.js";

export interface GoodRevision<T> {
  revision: string;
  content: T;
}

export interface BlockedRevision {
  revision: string;
  error: TerminalError;
}

export type OfferOutcome<T> =
  | { accepted: true; current: GoodRevision<T>; changed: boolean }
  | { accepted: false; current: GoodRevision<T> | undefined; blocked: BlockedRevision };

export class LastGoodRevision<T> {
  private good: GoodRevision<T> | undefined;
  private bad: BlockedRevision | undefined;

  /** The revision in force, if any was ever good. */
  get current(): GoodRevision<T> | undefined {
    return this.good;
  }

  /** The newest revision that was rejected, while it is newer than the one in force. */
  get blocked(): BlockedRevision | undefined {
    return this.bad;
  }

  /**
   * Loads `revision` unless it is the current or the blocked one (then the earlier outcome
   * stands, nothing is read again).
   */
  async offer(revision: string, load: () => T | Promise<T>): Promise<OfferOutcome<T>> {
    if (this.good?.revision === revision) return { accepted: true, current: this.good, changed: false };
    if (this.bad?.revision === revision) return { accepted: false, current: this.good, blocked: this.bad };
    try {
      const content = await load();
      this.good = { revision, content };
      this.bad = undefined;
      return { accepted: true, current: this.good, changed: true };
    } catch (e) {
      if (!(e instanceof TerminalError)) throw e;
      this.bad = { revision, error: e };
      return { accepted: false, current: this.good, blocked: this.bad };
    }
  }
}
