import { benchStart } from './start.ts';

// `npm run bench` (full) or `npm run bench -- --small` (CI-sized). Prints figures; asserts nothing.
const small = process.argv.includes('--small');
console.log(
  `Traslado bench (${small ? 'small' : 'full'}) on ${process.version}, ${new Date().toISOString()}`,
);
await benchStart(small ? 1 : 5);
