import type { RequestHandler, Router } from "express";
import type { Args } from "./cli/args.js";
import type { Job } from "./jobs/registry.js";

/** A command of `npm run cli` (its usage is server/cli/main.ts): prints its result on stdout, returns the exit code. */
export type CliCommand = (args: Args) => Promise<number>;

/** Something that works in the background: started with the service, stopped before the pool closes. */
export type Worker = {
  /** `startServer`'s options name them: `{ outbox: false }` leaves that one stopped (tests). */
  name: string;
  start: () => void;
  /** Work in progress may finish, up to `ms`. */
  stop: (ms: number) => Promise<void>;
};

/**
 * What a feature contributes to the service. Every feature's `createX(deps)` returns one;
 * the composition root (server/station.ts) hands them to the HTTP app, the job registry,
 * the CLI and the server's start and stop. All parts are optional.
 */
export type Feature = {
  name: string;
  /** Before everything else, for every request (refusing known guessers, counting requests). */
  first?: RequestHandler[];
  /** Public routes before the body parsers, sessions and CSRF (health, metrics, the logo). */
  open?: Router[];
  /** Routes of the JSON API under /api/v1; each checks its own key scope. */
  api?: Router[];
  /** Page locals every page needs (the organization's settings, the logo), before the language is chosen. */
  pageLocals?: RequestHandler[];
  /** Pages, after CSRF and sessions, in the order the composition root lists the features. */
  pages?: Router[];
  cli?: Record<string, CliCommand>;
  jobs?: Job[];
  workers?: Worker[];
  /** Last, on the way down (after the workers): closes what the feature holds open. */
  close?: () => Promise<void>;
};
