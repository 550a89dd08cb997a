/** The feature's public face: other features import it only from here. */
export type { Settings, SettingsService } from "./settings.service.js";
