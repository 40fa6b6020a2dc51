// biome-ignore lint/style/noRestrictedImports: this test shows the local-time hazard the rule prevents.
import { addDays } from 'date-fns';
import { describe, expect, it } from 'vitest';
import { addDaysUtc, addMonthsUtc } from './calendar.ts';

// Runs only in the `unit-madrid` project (TZ=Europe/Madrid), which also reruns every domain test,
// the planner's dated timelines among them, in a zone with a daylight-saving change.
const MARCH = new Date('2026-03-01T00:00:00Z');

describe('in Europe/Madrid, across the change to summer time (2026-03-29)', () => {
  it('really runs in that zone: the offset moves from +1 h to +2 h', () => {
    expect(process.env.TZ).toBe('Europe/Madrid');
    expect(MARCH.getTimezoneOffset()).toBe(-60);
    expect(new Date('2026-04-15T00:00:00Z').getTimezoneOffset()).toBe(-120);
  });

  it("date-fns' local addDays lands an hour early; the UTC helpers land on the same instant of the day", () => {
    // The hazard this guards against: 45 local days from March 1 00:00Z end at April 14, 23:00Z.
    expect(addDays(MARCH, 45).toISOString()).toBe('2026-04-14T23:00:00.000Z');
    expect(addDaysUtc(MARCH, 45).toISOString()).toBe('2026-04-15T00:00:00.000Z');
    expect(addDaysUtc(addDaysUtc(MARCH, 45), -7).toISOString()).toBe('2026-04-08T00:00:00.000Z');
    expect(addMonthsUtc(MARCH, 1).toISOString()).toBe('2026-04-01T00:00:00.000Z');
  });
});
