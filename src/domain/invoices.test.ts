import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  formatMajor,
  formatQuantity,
  invoiceNumber,
  invoiceSequence,
  monthOf,
  planClose,
  seatSubtotal,
  termAndBillingCycle,
} from './invoices.ts';

describe('months', () => {
  it('names the UTC month of an instant and steps across years', () => {
    expect(monthOf(new Date('2026-12-31T23:59:59.999Z'))).toBe('2026-12-01');
    expect(monthOf(new Date('2027-01-01T00:00:00.000Z'))).toBe('2027-01-01');
    expect(addMonths('2026-12-01', 1)).toBe('2027-01-01');
    expect(addMonths('2027-01-01', -1)).toBe('2026-12-01');
    expect(addMonths('2026-03-01', -15)).toBe('2024-12-01');
  });
});

describe('planClose', () => {
  it('closes every earlier month with unbilled lines into its own invoice, never the current one', () => {
    expect(
      planClose({
        current: '2026-04-01',
        unbilledMonths: ['2026-01-01', '2026-03-01', '2026-04-01'],
        invoicedMonths: [],
      }),
    ).toEqual([
      { period: '2026-01-01', months: ['2026-01-01'] },
      { period: '2026-03-01', months: ['2026-03-01'] },
    ]);
  });

  it('puts a late line on the next invoice: a later open month, else the previous month, else waits', () => {
    // January closed already; a January line came late, March still open: it joins March.
    expect(
      planClose({
        current: '2026-04-01',
        unbilledMonths: ['2026-01-01', '2026-03-01'],
        invoicedMonths: ['2026-01-01'],
      }),
    ).toEqual([{ period: '2026-03-01', months: ['2026-01-01', '2026-03-01'] }]);
    // No later month with lines: the previous month (March) gets an invoice for it.
    expect(
      planClose({ current: '2026-04-01', unbilledMonths: ['2026-01-01'], invoicedMonths: ['2026-01-01'] }),
    ).toEqual([{ period: '2026-03-01', months: ['2026-01-01'] }]);
    // March is closed too: the line waits for the next close.
    expect(
      planClose({
        current: '2026-04-01',
        unbilledMonths: ['2026-01-01'],
        invoicedMonths: ['2026-01-01', '2026-03-01'],
      }),
    ).toEqual([]);
  });

  it('places every unbilled month at most once, on a period not yet invoiced, never before the line', () => {
    const month = fc.integer({ min: 0, max: 11 }).map((i) => addMonths('2026-01-01', i));
    fc.assert(
      fc.property(
        fc.array(month, { maxLength: 8 }),
        fc.array(month, { maxLength: 8 }),
        month,
        (unbilled, invoiced, current) => {
          const plans = planClose({ current, unbilledMonths: unbilled, invoicedMonths: invoiced });
          const placed = plans.flatMap((p) => p.months);
          expect(new Set(placed).size).toBe(placed.length);
          for (const p of plans) {
            expect(invoiced).not.toContain(p.period);
            expect(p.period < current).toBe(true);
            for (const m of p.months) expect(m <= p.period).toBe(true);
          }
          // Every month before `current` that has no invoice is placed on its own period.
          for (const m of unbilled)
            if (m < current && !invoiced.includes(m))
              expect(plans.find((p) => p.period === m)?.months).toContain(m);
          // A late month is placed unless the previous month is invoiced and nothing later is open.
          const previous = addMonths(current, -1);
          for (const m of unbilled) {
            if (!(m < current && invoiced.includes(m))) continue;
            const laterOpen = unbilled.some((o) => o > m && o < current && !invoiced.includes(o));
            if (laterOpen || !invoiced.includes(previous)) expect(placed).toContain(m);
            else expect(placed).not.toContain(m);
          }
        },
      ),
    );
  });
});

describe('invoice numbers', () => {
  it('are one zero-padded sequence', () => {
    expect(invoiceNumber(1)).toBe('TR-00000001');
    expect(invoiceSequence('TR-00000042')).toBe(42);
    expect(invoiceSequence('X-1')).toBeNull();
    expect(() => invoiceNumber(0)).toThrow();
  });
});

describe('money in major units', () => {
  it('writes the currency decimals from the integer', () => {
    expect(formatMajor(123456, 'EUR')).toBe('1234.56');
    expect(formatMajor(5, 'EUR')).toBe('0.05');
    expect(formatMajor(-5, 'EUR')).toBe('-0.05');
    expect(formatMajor(0, 'USD')).toBe('0.00');
    expect(formatMajor(-120000, 'BRL')).toBe('-1200.00');
    expect(formatMajor(1200, 'JPY')).toBe('1200');
    expect(formatMajor(1234, 'KWD')).toBe('1.234');
    expect(formatMajor(2 ** 53 - 1, 'EUR')).toBe('90071992547409.91');
  });

  it('reads back as the same integer for any amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (n) => {
        expect(BigInt(formatMajor(n, 'EUR').replace('.', ''))).toBe(BigInt(n));
      }),
    );
  });
});

describe('seat subtotal', () => {
  it('is the effective unit price times the billable seats, rounded down', () => {
    expect(seatSubtotal(1050, '3')).toBe(3150);
    expect(seatSubtotal(1050, '-3')).toBe(-3150);
    expect(seatSubtotal(333, '2.5')).toBe(832);
    expect(seatSubtotal(333, '-2.5')).toBe(-833);
    expect(formatQuantity('5.000')).toBe('5');
    expect(formatQuantity('2.50')).toBe('2.5');
    expect(termAndBillingCycle('P1Y', 'monthly')).toBe('One-Year commitment for monthly billing');
  });
});
