/**
 * Registrations: a person joins by their phone number instead of a link, either because
 * the messaging platform verified the number (the API) or by a one-time code texted to it
 * (the self-service phone join page).
 * The feature's public face: other features import it only from here.
 */
import type { Knex } from "knex";
import type { ApiKeyLookup } from "../core/auth/principals.js";
import type { EventBus } from "../core/events.js";
import type { Feature } from "../core/feature.js";
import type { Outbox } from "../notify/index.js";
import type { UsersService } from "../people/index.js";
import type { SettingsService } from "../settings/index.js";
import { phoneJoinPages } from "./phone-join.routes.js";
import { PhoneMatchService } from "./phone-match.service.js";
import { PhoneOtpService } from "./phone-otp.service.js";
import { registrationsApi } from "./registrations.api.js";

export type RegistrationsDeps = {
  db: Knex;
  events: EventBus;
  users: Pick<UsersService, "pendingWithConsentByPhone" | "join" | "summary">;
  settings: Pick<SettingsService, "get">;
  /** The one-time codes go out as SMS through notify's outbox. */
  outbox: Pick<Outbox, "registerKind" | "enqueue" | "wake">;
  secretKey: string;
  apiKeys: ApiKeyLookup;
};

/** What the feature contributes, and its services (tests use them). */
export type Registrations = Required<Pick<Feature, "name" | "api" | "pages" | "jobs">> & {
  phoneMatch: PhoneMatchService;
  phoneOtp: PhoneOtpService;
};

export function createRegistrations(deps: RegistrationsDeps): Registrations {
  const phoneMatch = new PhoneMatchService(deps.users, deps.settings, deps.events);
  // Built once per process: it registers its message kind with the outbox, which any process may run.
  const phoneOtp = new PhoneOtpService({
    db: deps.db,
    users: deps.users,
    settings: deps.settings,
    outbox: deps.outbox,
    matching: phoneMatch,
    secretKey: deps.secretKey,
  });
  return {
    name: "registrations",
    phoneMatch,
    phoneOtp,
    api: [registrationsApi({ apiKeys: deps.apiKeys, matching: phoneMatch })],
    pages: [phoneJoinPages({ settings: deps.settings, matching: phoneMatch, otp: phoneOtp })],
    jobs: [{ name: "registrations.prune-codes", schedule: "*/15 * * * *", leaseSeconds: 120, run: () => phoneOtp.prune() }],
  };
}

export type { PhoneMatch, PhoneMatchService } from "./phone-match.service.js";
export type { PhoneOtpService, VerifyOutcome } from "./phone-otp.service.js";
