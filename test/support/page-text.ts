import assert from "node:assert/strict";

/** The page's text without tags, entities decoded, spaces folded: what a reader sees. */
export function visible(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#39;/g, "'")
    .replace(/&quot;|&#34;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

/** Fails when a page meant for a Spanish reader still shows one of these English phrases. */
export function assertNone(english: RegExp[], text: string, where: string): void {
  for (const phrase of english) assert.doesNotMatch(text, phrase, `${where}: English text ${phrase}`);
}
