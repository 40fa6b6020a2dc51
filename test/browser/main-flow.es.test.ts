import { describe } from 'vitest';
import { mainFlow } from './main-flow.ts';

// The same flow with every text taken from the Spanish catalogue (web/src/i18n/es.json).
describe('the main flow in Spanish', () => {
  mainFlow('es');
});
