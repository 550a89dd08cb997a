/** The feature's public face: other features import it only from here. */
export { GuessLimiter } from "./guess-limiter.js";
export {
  type InvitationState,
  type InvitationsService,
  type InvitationView,
  JOIN_CHANNELS,
  type RotatingSource,
} from "./invitations.service.js";
export { MAX_PERIOD_SECONDS, MIN_PERIOD_SECONDS } from "./rotating-codes.js";
