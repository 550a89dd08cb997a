import type { ImageInfo } from "./image-info.js";

/** The organization's logo: a PNG or JPEG, versioned by when it was uploaded. */
export type Logo = ImageInfo & { data: Buffer; updatedAt: number };
