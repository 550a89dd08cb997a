import { EventEmitter } from "node:events";

/** Who did something, and from where. Recorded in the audit log. */
export type Actor = {
  type: "admin" | "apikey" | "cli" | "system";
  id: string | null;
  label: string;
  ip: string | null;
};

export type Target = { type: string; id: string | number };

/**
 * Every event says who did what to which thing, in words fit for the audit log. The
 * summary never carries personal data (names, emails, phones): the audit trail has to
 * survive a person's erasure without keeping them.
 */
export type DomainEvent = { actor: Actor; summary: string; target?: Target } & Record<string, unknown>;

type Listener = (name: string, event: DomainEvent) => void | Promise<void>;

/**
 * A typed in-process event bus. Emitting waits for the listeners, so that what a listener
 * writes (the audit log) is there when the request that caused it returns; a failing
 * listener is reported and never fails the service that emitted. The listeners of one
 * event run side by side: they are independent by design (each its own module), and a
 * request then waits for the slowest of them rather than for all of them in turn.
 */
export class EventBus {
  private emitter = new EventEmitter();
  private anyListeners: Listener[] = [];
  constructor(private onListenerError: (event: string, err: unknown) => void = () => {}) {
    this.emitter.setMaxListeners(100);
  }
  on(name: string, listener: (event: DomainEvent) => void | Promise<void>): void {
    this.emitter.on(name, listener);
  }
  onAny(listener: Listener): void {
    this.anyListeners.push(listener);
  }
  async emit(name: string, event: DomainEvent): Promise<void> {
    const calls = [
      ...this.anyListeners.map((l) => () => l(name, event)),
      ...this.emitter.listeners(name).map((l) => () => (l as (e: DomainEvent) => unknown)(event)),
    ];
    await Promise.all(
      calls.map(async (call) => {
        try {
          await call();
        } catch (err) {
          this.onListenerError(name, err);
        }
      }),
    );
  }
}

export const systemActor: Actor = { type: "system", id: null, label: "system", ip: null };
export const cliActor = (label = "command line"): Actor => ({ type: "cli", id: null, label, ip: null });
