import Fastify from 'fastify';
import { openPGlite } from '../src/platform/db/connect.ts';
import { ensurePGliteTemplate } from '../src/platform/db/template.ts';

// The floor under `traslado start`: open PGlite from the same template, serve one route. With the
// shared memory a data folder gets (the tests' in-memory copies start with less).
const handle = await openPGlite({ loadDataDir: await ensurePGliteTemplate(), smallMemory: false });
const app = Fastify();
app.get('/healthz', async () => {
  await handle.executeSql('select 1');
  return { status: 'ok' };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
