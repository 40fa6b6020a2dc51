import { ensurePGliteTemplateDir, templatePath } from '../../platform/db/template.ts';
import { ensureDemoTemplateDir } from '../../seed/demo-template.ts';

export async function prepareTemplateCommand(opts: { quiet?: boolean }) {
  const t = Date.now();
  await ensurePGliteTemplateDir();
  if (!opts.quiet)
    console.log(`embedded database template ready: ${await templatePath()} (${Date.now() - t} ms)`);
  const d = Date.now();
  const demo = await ensureDemoTemplateDir();
  if (!opts.quiet) console.log(`embedded demo template ready: ${demo} (${Date.now() - d} ms)`);
}
