import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import type { ImageInfo } from "./image-info.js";

/**
 * Decodes the whole image with a maintained decoder (pngjs checks every chunk's CRC and
 * inflates all the pixel data; jpeg-js, not tolerant, decodes every scan), so a truncated
 * or corrupt file is refused at upload instead of being drawn broken on the join page, the
 * kiosk and every letter. Only called once the header's size is known to be sensible, which
 * bounds the memory it takes. Returns why it failed, or null.
 */
export function decodeFailure(data: Buffer, info: ImageInfo): string | null {
  try {
    const image =
      info.mime === "image/png"
        ? PNG.sync.read(data)
        : jpeg.decode(data, { useTArray: true, tolerantDecoding: false, maxResolutionInMP: 17, maxMemoryUsageInMB: 128 });
    if (image.width !== info.width || image.height !== info.height) return "its pixel data does not match its header";
    return null;
  } catch (err) {
    return (err as Error).message || "it cannot be decoded";
  }
}
