const EAST_ASIAN = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}ー・\s]+$/u;

/**
 * A person's full name as they write it: family name first and no space for Chinese,
 * Japanese and Korean names (王小明, 山田太郎, 김민준), given name first otherwise.
 */
export function displayName(firstName: string, lastName: string): string {
  const first = firstName.trim();
  const last = lastName.trim();
  if (first && last && EAST_ASIAN.test(first) && EAST_ASIAN.test(last)) return `${last}${first}`;
  return [first, last].filter(Boolean).join(" ");
}
