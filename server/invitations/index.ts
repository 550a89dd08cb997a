/**
 * Invitations: a person's personal link and typed code (issued, shown again, regenerated,
 * revoked), the join page that link opens, redeeming it (the app's busiest, public route)
 * with its guessing limits, and the one check of who may be sent or printed an invitation.
 * The feature's public face: other features import it only from here.
 */
import type { Knex } from "knex";
import type { ApiKeyLookup } from "../core/auth/principals.js";
import type { Config } from "../core/config.js";
import type { EventBus } from "../core/events.js";
import type { Feature } from "../core/feature.js";
import type { User, UsersService } from "../people/index.js";
import type { SettingsService } from "../settings/index.js";
import { refuseKnownGuessers } from "./front-door.js";
import { invitationPages, invitationProfileExtras } from "./invitation-pages.routes.js";
import { invitationRedeemApi, invitationsApi } from "./invitations.api.js";
import { InvitationsService, type InvitationsUsers } from "./invitations.service.js";
import { joinPages } from "./join.routes.js";

export type InvitationsDeps = {
  db: Knex;
  events: EventBus;
  users: InvitationsUsers & Pick<UsersService, "get">;
  settings: Pick<SettingsService, "get">;
  config: Pick<Config, "secretKey" | "publicUrl" | "kioskRotateSeconds">;
  apiKeys: ApiKeyLookup;
};

/** What the feature contributes, and the service other features use. */
export type Invitations = Required<Pick<Feature, "name" | "first" | "api" | "pages" | "jobs">> & {
  invitations: InvitationsService;
  /** The invitation card of a person's profile page (a section the root hands the people feature). */
  profile: (user: User) => Promise<Record<string, unknown>>;
};

export function createInvitations(deps: InvitationsDeps): Invitations {
  const invitations = new InvitationsService(deps.db, deps.events, deps.users, deps.settings, deps.config);
  return {
    name: "invitations",
    invitations,
    // Refuses a known guesser before anything else runs (the root puts it first of all).
    first: [refuseKnownGuessers(invitations)],
    // The busiest route, and public: matched before the others are tried.
    api: [invitationRedeemApi(invitations), invitationsApi({ apiKeys: deps.apiKeys, invitations })],
    pages: [
      joinPages({ settings: deps.settings, invitations }),
      invitationPages({ users: deps.users, invitations, rotateSeconds: deps.config.kioskRotateSeconds }),
    ],
    jobs: [
      {
        name: "invitations.prune-guesses",
        schedule: "*/10 * * * *",
        leaseSeconds: 120,
        run: () => invitations.pruneGuesses(),
      },
    ],
    profile: invitationProfileExtras(invitations),
  };
}

export { type Eligibility, eligibilityOf, type IneligibleReason, PERSON_REASONS } from "./eligibility.js";
export { GuessLimiter } from "./guess-limiter.js";
export { InvitationGoneError, type InvitationsService } from "./invitations.service.js";
export {
  type InvitationState,
  type InvitationView,
  JOIN_CHANNELS,
  type JoinChannel,
  type RotatingSource,
} from "./invitations.types.js";
export { MAX_PERIOD_SECONDS, MIN_PERIOD_SECONDS } from "./rotating-codes.js";
