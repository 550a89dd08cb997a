/** The people feature's public face: other features import it only from here. */
import type { Knex } from "knex";
import type { ApiKeyLookup } from "../core/auth/principals.js";
import type { Config } from "../core/config.js";
import type { EventBus } from "../core/events.js";
import type { Feature } from "../core/feature.js";
import { Facets } from "./facets.js";
import { groupsApi } from "./groups.api.js";
import { groupPages } from "./groups.routes.js";
import { GroupsService } from "./groups.service.js";
import { importPages } from "./import/import.routes.js";
import { ImportsService } from "./import/imports.service.js";
import { usersApi } from "./users.api.js";
import { usersCommands } from "./users.cli.js";
import { type ProfileExtras, userPages } from "./users.routes.js";
import { UsersService } from "./users.service.js";
import type { OrganizationDefaults } from "./users.types.js";

export type { Facets } from "./facets.js";
export { userIdsSchema } from "./groups.schema.js";
export type { GroupsService } from "./groups.service.js";
export type { Group, Member } from "./groups.types.js";
export type { ImportsService, ImportView } from "./import/imports.service.js";
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./list-query.schema.js";
export { parsePhone } from "./phone.js";
export { iterateUsers, recountStatuses, statusCounts } from "./users.repo.js";
export type { ProfileExtras } from "./users.routes.js";
export { LANGUAGE_NAMES, LANGUAGES, type UserInput, userInputSchema, zodFieldErrors } from "./users.schema.js";
export type { UsersService } from "./users.service.js";
export {
  type ListQuery,
  type ListResult,
  type OrganizationDefaults,
  STATUSES,
  type Status,
  type User,
  type UserSummary,
} from "./users.types.js";

export type PeopleDeps = {
  db: Knex;
  events: EventBus;
  /** Imports keep their uploaded files under DATA_DIR/uploads. */
  config: Pick<Config, "dataDir">;
  /** The organization's default country and language (forms, imports). */
  settings: OrganizationDefaults;
  /** The API's key check. */
  apiKeys: ApiKeyLookup;
  /**
   * Sections other features add to a person's profile page (the invitation card, …): people
   * does not depend on them, so the composition root fills the list; it is read at each request.
   */
  profile: ProfileExtras[];
};

export type People = ReturnType<typeof createPeople>;

/**
 * People: registering, editing and erasing people (users), groups and their members, the
 * department and site filters (facets), and CSV/Excel import and export (imports).
 */
export function createPeople(deps: PeopleDeps) {
  const { db, events, settings, apiKeys } = deps;
  const users = new UsersService(db, events);
  const groups = new GroupsService(db, events);
  const facets = new Facets(db, events);
  const imports = new ImportsService(db, events, settings, deps.config.dataDir);
  const feature = {
    name: "people",
    api: [usersApi({ users, settings, apiKeys }), groupsApi({ groups, users, apiKeys })],
    pages: [
      userPages({ users, groups, facets, settings }, deps.profile),
      groupPages({ groups, users }),
      importPages({ imports }),
    ],
    cli: usersCommands(imports),
    jobs: [
      // Uploaded files (personal data) of imports left waiting are removed (also at each upload).
      { name: "imports.prune", schedule: "43 3 * * *", leaseSeconds: 600, run: () => imports.pruneAbandoned() },
    ],
  } satisfies Feature;
  return { users, groups, facets, imports, ...feature };
}
