/**
 * The glossary (`docs/glossary.md`) as data: each term with its English, its Spanish and the
 * Spanish variants it rejects, and a finder of rejected variants in a text. `glossary.test.ts`
 * runs it over every Spanish text people read.
 */
import { readFileSync } from 'node:fs';

export interface Term {
  en: string;
  es: string;
  rejected: string[];
}

export const GLOSSARY_PATH = new URL('../docs/glossary.md', import.meta.url);

/** The rows of the table under `## Terms` (header and separator skipped). */
export function parseGlossary(markdown: string): Term[] {
  const start = /^## Terms\b/m.exec(markdown);
  if (!start) throw new Error('the glossary has no "## Terms" section');
  const rest = markdown.slice(start.index);
  const next = rest.indexOf('\n## ', 1);
  const section = next < 0 ? rest : rest.slice(0, next);
  const rows = section
    .split('\n')
    .filter((l) => l.trim().startsWith('|'))
    .map((l) =>
      l
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|')
        .map((c) => c.trim()),
    );
  const [header, separator, ...body] = rows;
  if (header?.length !== 3 || !separator?.every((c) => /^-+$/.test(c)))
    throw new Error('the glossary table must have three columns: English | Español | Rejected variants');
  return body.map((cells) => {
    if (cells.length !== 3) throw new Error(`a glossary row must have three cells: ${cells.join(' | ')}`);
    const [en, es, rejected] = cells as [string, string, string];
    return {
      en,
      es,
      rejected: rejected
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    };
  });
}

export function loadGlossary(): Term[] {
  return parseGlossary(readFileSync(GLOSSARY_PATH, 'utf8'));
}

export interface Finding {
  variant: string;
  preferred: string;
  excerpt: string;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every rejected variant in `text`, as a whole word or phrase, any case. */
export function rejectedIn(text: string, terms: readonly Term[]): Finding[] {
  const found: Finding[] = [];
  for (const term of terms)
    for (const variant of term.rejected) {
      const re = new RegExp(
        `(?<![\\p{L}\\p{N}_-])${escapeRe(variant).replace(/ /g, '\\s+')}(?![\\p{L}\\p{N}_-])`,
        'giu',
      );
      for (const m of text.matchAll(re)) {
        const at = m.index ?? 0;
        found.push({
          variant,
          preferred: term.es,
          excerpt: text.slice(Math.max(0, at - 30), at + m[0].length + 30),
        });
      }
    }
  return found;
}
