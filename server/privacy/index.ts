/** The feature's public face: other features import it only from here. */
export { sendExport } from "./privacy.routes.js";
