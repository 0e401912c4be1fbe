/**
 * Harmonized System commodity codes: the 6-digit international code, optionally extended by
 * national subheadings to 8 (EU CN, India), 9 (Japan) or 10 digits (China, EAEU, US).
 */

export type HsCodeResult = { ok: true; chapter: string } | { ok: false; message: string };

/**
 * Chapters 01–97 are in use except 77, which the HS keeps reserved. 98 and 99 are left to
 * national use, so they are rejected here rather than guessed at.
 */
function isKnownChapter(chapter: number): boolean {
  return chapter >= 1 && chapter <= 97 && chapter !== 77;
}

/** Validates an HS code written as plain digits (no dots or spaces: 8471300000, not 8471.30). */
export function validateHsCode(s: string): HsCodeResult {
  if (!/^[0-9]+$/.test(s)) {
    return { ok: false, message: "HS code must contain digits only (no dots or spaces)" };
  }
  if (s.length < 6 || s.length > 10) {
    return { ok: false, message: `HS code must have 6 to 10 digits; got ${s.length}` };
  }
  const chapter = s.slice(0, 2);
  if (!isKnownChapter(Number(chapter))) {
    return { ok: false, message: `unknown HS chapter ${chapter}` };
  }
  return { ok: true, chapter };
}
