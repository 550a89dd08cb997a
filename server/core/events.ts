import { EventEmitter } from "node:events";
import type { TFunction } from "./i18n/index.js";
import { type Message, message } from "./message.js";

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
export type DomainEvent = { actor: Actor; summary: string; said?: Message; target?: Target } & Record<string, unknown>;

/**
 * A summary as a locale key (audit.json, under `summary.`) with its values: `summary` is its
 * English (webhooks and exports), `said` lets the audit page say it in the reader's language.
 * A `userId` value names the person: "person #28" in the stored English, their name on the
 * page while they exist (as `{person}`, or `{Person}` at the start of a sentence).
 */
export function says(key: string, values: Record<string, unknown> = {}): { summary: string; said: Message } {
  const all =
    typeof values.userId === "number"
      ? { ...values, ...personRef(values.userId) }
      : values.userId === null
        ? { ...values, person: "an erased person", Person: "An erased person" }
        : values;
  const said = message(`audit:summary.${key}`, all);
  return { summary: said.text, said: { key: said.key, values, text: said.text } };
}

const personRef = (id: number) => ({ person: `person #${id}`, Person: `Person #${id}` });

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

/**
 * A recorded summary in the reader's language: the person by name while `names` knows them,
 * else "person #28" in that language. Lines without a key show as stored, with the names.
 */
export function saySummary(
  t: TFunction | undefined,
  line: { summary: string; said?: Message | null },
  names: Map<number, string> = new Map(),
): string {
  if (!line.said || !t) return line.summary.replace(/\b([Pp])erson #(\d+)/g, (whole, _p, id) => names.get(Number(id)) ?? whole);
  const values = { ...line.said.values };
  if (typeof values.userId === "number") {
    const name = names.get(values.userId);
    values.person = name ?? t("audit:person", { id: values.userId });
    values.Person = name ?? t("audit:Person", { id: values.userId });
  } else if (values.userId === null) {
    values.person = t("audit:erasedPerson");
    values.Person = t("audit:ErasedPerson");
  }
  return t(line.said.key, { ...values, defaultValue: line.said.text });
}
