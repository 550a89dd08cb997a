/**
 * Word layouts shared by every document a thread renders. pdfkit has each word shaped
 * (by HarfBuzz, see harfbuzz-layout.ts: ligatures, kerning) and caches the result per
 * font, but only for one document's life: a 50-letter print job shaped the whole letter's
 * wording again, and a 10,000-letter document lost it whenever the cache was emptied.
 * A layout depends only on the font and the word, so one cache per font serves them all.
 */
const caches = new Map<string, Record<string, unknown>>();

/**
 * Personal words (codes, ids) are seen once; emptied when it holds this many words (a few
 * MB), the cache keeps about a thousand letters' worth and is filled again with the
 * shared wording in the first letter after.
 */
const MAX_WORDS = 2000;

type FontInternals = { _font: { layoutCache?: Record<string, unknown> } };

/** Gives the document's current font (just selected by its registered name) the shared cache. */
export function shareLayoutCache(doc: PDFKit.PDFDocument, fontName: string): void {
  let cache = caches.get(fontName);
  if (!cache) {
    cache = Object.create(null) as Record<string, unknown>;
    caches.set(fontName, cache);
  }
  (doc as unknown as FontInternals)._font.layoutCache = cache;
}

/** Called between letters: empties a cache that has grown past MAX_WORDS (in place: documents hold it). */
export function trimLayoutCaches(): void {
  for (const cache of caches.values()) {
    if (Object.keys(cache).length <= MAX_WORDS) continue;
    for (const word in cache) delete cache[word];
  }
}
