import { Command, InvalidArgumentError } from 'commander';
import { applyCommand } from './commands/apply.ts';
import { catalogImportCommand } from './commands/catalog-import.ts';
import { clockCommand } from './commands/clock.ts';
import { importCommand } from './commands/import.ts';
import { planCommand } from './commands/plan.ts';
import { prepareTemplateCommand } from './commands/prepare-template.ts';
import { seedCommand } from './commands/seed.ts';
import { startCommand } from './commands/start.ts';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

const program = new Command()
  .name('traslado')
  .description(
    'Traslado: move license-based customers into a CSP practice with no interruption and no data lost.',
  )
  .showHelpAfterError();

program
  .command('start')
  .description(
    'serve the API and console (embedded database unless DATABASE_URL is set); seeds the demo on first start',
  )
  .option('--port <port>', 'port to listen on', positiveInt)
  .option('--host <host>', 'address to listen on')
  .option('--data <dir>', 'embedded database folder (default ./.data)')
  .option('--no-demo', 'do not seed the demo data on first start')
  .action(startCommand);

program
  .command('seed')
  .description('seed data: --demo (the pinned demo) ')
  .option('--demo', 'seed the demo partner, users and tenants (skipped when already seeded)')
  .option('--data <dir>', 'embedded database folder')
  .action(seedCommand);

program
  .command('clock')
  .description('move the platform clock forward (only where the clock is unlocked)')
  .option('--advance-days <n>', 'days to move forward', positiveInt)
  .option('--now <iso>', 'an instant to move to')
  .option('--data <dir>', 'embedded database folder')
  .action(clockCommand);

program
  .command('catalog')
  .description('the catalog')
  .command('import <file>')
  .description(
    "load the vendor's product and service-plan reference (CSV); idempotent, new offers carry no price or market",
  )
  .option('--data <dir>', 'embedded database folder')
  .action(catalogImportCommand);

program
  .command('import <file>')
  .description(
    'record subscriptions tenants hold from other channels (CSV: tenantId|tenantDomain, offerId, quantity, channel, partnerId, purchasedVia, billingCycle, termStart, termEnd, autoRenew)',
  )
  .option('--data <dir>', 'embedded database folder')
  .action(importCommand);

program
  .command('prepare-template')
  .description('build the migrated embedded-database template (runs at npm install)')
  .option('--quiet', 'print nothing')
  .action(prepareTemplateCommand);

program
  .command('plan')
  .description("plan transitions (dry runs) for a partner's customers and write a plan file")
  .requiredOption('--partner <id>', 'the acting partner')
  .option('--customers <file>', 'tenant ids: a JSON array or a CSV whose first column is the tenant id')
  .option('--all', 'every customer the partner has a relationship with')
  .requiredOption('--out <file>', 'where to write the plan file (JSON)')
  .option('--data <dir>', 'embedded database folder')
  .action(planCommand);

program
  .command('apply')
  .description('apply every ready plan of a plan file (resumable: run it again after an interruption)')
  .argument('<file>', 'a plan file written by traslado plan')
  .option('--data <dir>', 'embedded database folder')
  .action(applyCommand);

await program.parseAsync();
