import { ensurePGliteTemplateDir, templatePath } from '../../platform/db/template.ts';

export async function prepareTemplateCommand(opts: { quiet?: boolean }) {
  const t = Date.now();
  await ensurePGliteTemplateDir();
  if (!opts.quiet)
    console.log(`embedded database template ready: ${await templatePath()} (${Date.now() - t} ms)`);
}
