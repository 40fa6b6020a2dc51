import { describe } from 'vitest';
import { mainFlow } from './main-flow.ts';

describe('the main flow in English', () => {
  mainFlow('en');
});
