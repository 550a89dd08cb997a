/** The feature's public face: other features import it only from here. */

export type { Facets } from "./facets.js";
export { userIdsSchema } from "./groups.api.js";
export type { GroupsService } from "./groups.service.js";
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./list-query.js";
export { parsePhone } from "./phone.js";
export { LANGUAGE_NAMES, LANGUAGES, STATUSES, userInputSchema, zodFieldErrors } from "./user.schema.js";
export { iterateUsers, type User, type UserSummary } from "./users.repo.js";
export type { UsersService } from "./users.service.js";
