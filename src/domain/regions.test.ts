import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COUNTRY_CODES, isKnownCountry, REGION_NAMES, REGIONS, regionOf } from './regions.ts';

describe('regionOf', () => {
  it('maps the demo markets', () => {
    expect(regionOf('ES')).toBe('europe');
    expect(regionOf('BR')).toBe('brazil');
  });

  it('is case-insensitive', () => {
    expect(regionOf('es')).toBe('europe');
    expect(regionOf(' br ')).toBe('brazil');
    expect(isKnownCountry('us')).toBe(true);
  });

  it('knows the regions the program names', () => {
    expect(regionOf('US')).toBe('united-states');
    expect(regionOf('CA')).toBe('canada');
    expect(regionOf('MX')).toBe('latin-america');
    expect(regionOf('AR')).toBe('latin-america');
    expect(regionOf('GB')).toBe('europe');
    expect(regionOf('CH')).toBe('europe');
    expect(regionOf('NO')).toBe('europe');
    expect(regionOf('PL')).toBe('europe');
    expect(regionOf('TR')).toBe('middle-east-cee');
    expect(regionOf('UA')).toBe('middle-east-cee');
    expect(regionOf('RS')).toBe('middle-east-cee');
    expect(regionOf('AE')).toBe('middle-east-cee');
    expect(regionOf('ZA')).toBe('africa');
    expect(regionOf('SG')).toBe('asia-pacific');
    expect(regionOf('AU')).toBe('australia');
    expect(regionOf('NZ')).toBe('new-zealand');
    expect(regionOf('JP')).toBe('japan');
    expect(regionOf('KR')).toBe('korea');
    expect(regionOf('TW')).toBe('taiwan');
    expect(regionOf('IN')).toBe('india');
    expect(regionOf('CN')).toBe('china');
  });

  it('puts every EU/EEA member in Europe', () => {
    const eea =
      'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO'.split(' ');
    for (const c of eea) expect(regionOf(c), c).toBe('europe');
  });

  it('answers undefined for unknown codes', () => {
    expect(regionOf('XX')).toBeUndefined();
    expect(regionOf('')).toBeUndefined();
    expect(regionOf('ESP')).toBeUndefined();
    expect(isKnownCountry('XX')).toBe(false);
  });

  it('maps every listed code to a region with a display name', () => {
    expect(COUNTRY_CODES.length).toBeGreaterThan(200);
    for (const c of COUNTRY_CODES) {
      expect(c).toMatch(/^[A-Z]{2}$/);
      const r = regionOf(c);
      expect(r && REGIONS.includes(r), c).toBe(true);
    }
    for (const r of REGIONS) expect(REGION_NAMES[r]).toBeTruthy();
    expect(REGION_NAMES.europe).toBe('Europe');
    expect(REGION_NAMES.brazil).toBe('Brazil');
  });

  it('every region has at least one country', () => {
    const used = new Set(COUNTRY_CODES.map((c) => regionOf(c)));
    for (const r of REGIONS) expect(used.has(r), r).toBe(true);
  });

  it('agrees with isKnownCountry on any string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 4 }), (s) => {
        expect(isKnownCountry(s)).toBe(regionOf(s) !== undefined);
      }),
    );
  });
});
