import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project folder (where package.json, migrations/ and data/ are), found by walking up from this
 * file: the same answer whether the code runs from src/ through tsx or from the bundle in dist/.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'traslado')
      return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the traslado project folder');
    dir = up;
  }
}

export const PROJECT_ROOT = findRoot();

/** The version in package.json (`traslado --version`, the OpenAPI document). */
export const PACKAGE_VERSION: string = (
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
