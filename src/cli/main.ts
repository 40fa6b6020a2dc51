import { Command, InvalidArgumentError, Option } from 'commander';
import { PACKAGE_VERSION } from '../platform/paths.ts';
import { applyCommand } from './commands/apply.ts';
import { registerBackupCommands } from './commands/backup.ts';
import { catalogImportCommand } from './commands/catalog-import.ts';
import { clockCommand } from './commands/clock.ts';
import { importCommand } from './commands/import.ts';
import { invoicesCloseCommand, invoicesExportCommand } from './commands/invoices.ts';
import { planCommand } from './commands/plan.ts';
import { prepareTemplateCommand } from './commands/prepare-template.ts';
import { pricesImportCommand } from './commands/prices-import.ts';
import { parseScale, seedCommand } from './commands/seed.ts';
import { startCommand } from './commands/start.ts';
import { usageImportCommand } from './commands/usage-import.ts';

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
  .version(PACKAGE_VERSION, '-V, --version', 'print the version of Traslado')
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
  .description('seed data: --demo (the pinned demo) and/or --scale customers=N (a synthetic book)')
  .option('--demo', 'seed the demo partner, users and tenants (skipped when already seeded)')
  .option('--scale <size>', 'a synthetic book for a scale partner: customers=N', parseScale)
  .option(
    '--seed <n>',
    'the synthetic book to make (the same seed gives the same book; default 1)',
    positiveInt,
  )
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
  .command('prices')
  .description('price lists')
  .command('import <file>')
  .description(
    "load price lists (CSV: offerId or skuId, market, currency, term, billingPlan, unitPrice, effectiveStartDate?, effectiveEndDate?); each offer named gets the file's rows as its whole list; a bad row refuses the whole file",
  )
  .option('--data <dir>', 'embedded database folder')
  .action(pricesImportCommand);

const invoices = program.command('invoices').description('invoices and reconciliation files (SPEC §8)');
invoices
  .command('close')
  .description(
    'close now every month before the current one (platform clock) with unbilled lines: one invoice per partner, currency and month (the month-start job does the same)',
  )
  .option('--data <dir>', 'embedded database folder')
  .action(invoicesCloseCommand);
invoices
  .command('export')
  .description("write an invoice's reconciliation file (CSV), the same bytes as the API's download")
  .requiredOption('--invoice <id>', 'the invoice id or number (TR-…)')
  .option('--out <file>', 'the file to write (default: stdout)')
  .option('--data <dir>', 'embedded database folder')
  .action(invoicesExportCommand);

program
  .command('usage')
  .description('Azure usage')
  .command('import <file>')
  .description(
    'load daily rated Azure usage (CSV: date, subscriptionId, meterId, meterName, meterCategory, unit, quantity, unitPrice in minor units, currency, resourceId); bad rows are refused by line, the rest imported once',
  )
  .option('--data <dir>', 'embedded database folder')
  .action(usageImportCommand);

program
  .command('import <file>')
  .description(
    'record subscriptions tenants hold from other channels (CSV: tenantId|tenantDomain, offerId, quantity, channel, partnerId, purchasedVia, billingCycle, termStart, termEnd, autoRenew)',
  )
  .option('--data <dir>', 'embedded database folder')
  .action(importCommand);

program
  .command('prepare-template')
  .description('build the migrated embedded-database template and the ready-made demo (runs at npm install)')
  .option('--quiet', 'print nothing')
  .action(prepareTemplateCommand);

program
  .command('plan')
  .description(
    "plan transitions (dry runs) for a partner's customers, streamed in batches, and write a report",
  )
  .requiredOption('--partner <id>', 'the acting partner')
  .option(
    '--customers <file>',
    'tenant ids: a JSON array, or a CSV with a tenantId column (else the first column)',
  )
  .option('--all', 'every customer the partner has a relationship with')
  .requiredOption('--out <file>', 'the report: JSON lines, plus <file>.summary.csv')
  .option('--batch-size <n>', 'customers read and planned together (default 200)', positiveInt)
  .option(
    '--workers <n>',
    'planning worker threads, 0 to plan in the main thread (default: one per core but one, at least one, from 500 customers on; else 0)',
    positiveInt,
  )
  .addOption(
    new Option(
      '--provision <when>',
      "when to buy each target: now, or a few days before the source ends (default: each line's cheaper option)",
    ).choices(['now', 'before-end']),
  )
  .option('--data <dir>', 'embedded database folder')
  .action(planCommand);

program
  .command('apply')
  .description(
    'apply every ready plan of a report through the job queue (resumable: run it again after an interruption)',
  )
  .argument('<file>', 'a report written by traslado plan')
  .option('--concurrency <n>', 'transitions run at once (default 4)', positiveInt)
  .option('--data <dir>', 'embedded database folder')
  .action(applyCommand);

registerBackupCommands(program);

await program.parseAsync();
