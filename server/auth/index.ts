/** The feature's public face: other features import it only from here. */
export { renderSettings } from "./admin-pages.routes.js";
export type { AdminsService } from "./admins.service.js";
export { Sealer } from "./sealer.js";
