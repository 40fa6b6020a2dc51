#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so there is no build step between clone and start.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
