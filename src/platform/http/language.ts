import type { Lang } from '../error-words.ts';

/**
 * The language of an answer from `Accept-Language`: Spanish when the caller prefers any Spanish
 * (`es`, `es-ES`, `es-419`) over English, else English. Quality values count (`en;q=0.5, es`
 * is Spanish); a language we do not speak is skipped, and nothing at all means English.
 */
export function languageOf(header: string | string[] | undefined): Lang {
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  let best: { lang: Lang; q: number } | undefined;
  for (const part of text.split(',')) {
    const [tag = '', ...attrs] = part.trim().split(';');
    const primary = tag.trim().toLowerCase().split('-')[0];
    if (primary !== 'en' && primary !== 'es') continue;
    let q = 1;
    for (const a of attrs) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(a);
      if (m) q = Number(m[1]);
    }
    if (!(q > 0)) continue;
    if (!best || q > best.q) best = { lang: primary, q };
  }
  return best?.lang ?? 'en';
}
