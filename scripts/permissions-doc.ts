import { writeFileSync } from 'node:fs';
import { renderPermissionsDoc } from '../src/platform/auth/permissions-doc.ts';

writeFileSync(new URL('../docs/permissions.md', import.meta.url), renderPermissionsDoc());
console.log('docs/permissions.md written');
