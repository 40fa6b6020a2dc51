/**
 * Regions of the program and the country → region table. A partner serves only customers whose
 * tenant country falls in its own region; the country set on the tenant decides, not where the
 * company sits.
 */
export const REGIONS = [
  'africa',
  'asia-pacific',
  'australia',
  'brazil',
  'canada',
  'china',
  'europe',
  'india',
  'japan',
  'korea',
  'latin-america',
  'middle-east-cee',
  'new-zealand',
  'taiwan',
  'united-states',
] as const;
export type Region = (typeof REGIONS)[number];

export const REGION_NAMES: Record<Region, string> = {
  africa: 'Africa',
  'asia-pacific': 'Asia-Pacific',
  australia: 'Australia',
  brazil: 'Brazil',
  canada: 'Canada',
  china: 'China',
  europe: 'Europe',
  india: 'India',
  japan: 'Japan',
  korea: 'Korea',
  'latin-america': 'Latin America & Caribbean',
  'middle-east-cee': 'Middle East / Central & Eastern Europe',
  'new-zealand': 'New Zealand',
  taiwan: 'Taiwan',
  'united-states': 'United States',
};

const BY_REGION: Record<Region, string> = {
  europe:
    'AD AT BE BG CH CY CZ DE DK EE ES FI FO FR GB GG GI GL GR HR HU IE IM IS IT JE LI LT LU LV MC MT NL NO PL PT RO SE SI SK SM VA',
  'middle-east-cee':
    'AE AL AM AZ BA BH BY GE IL IQ IR JO KG KW KZ LB ME MD MK OM PS QA RS RU SA SY TJ TM TR UA UZ XK YE',
  africa:
    'AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RW SC SD SL SN SO SS ST SZ TD TG TN TZ UG ZA ZM ZW',
  'asia-pacific': 'AF BD BN BT FJ HK ID KH LA LK MM MN MO MV MY NP PG PH PK SB SG TH TL TO VN VU WS',
  australia: 'AU',
  'new-zealand': 'NZ',
  brazil: 'BR',
  canada: 'CA',
  china: 'CN',
  india: 'IN',
  japan: 'JP',
  korea: 'KR',
  taiwan: 'TW',
  'united-states': 'US PR GU VI AS MP',
  'latin-america':
    'AG AI AR AW BB BM BO BS BZ CL CO CR CU CW DM DO EC GD GT GY HN HT JM KN KY LC MX NI PA PE PY SR SV TC TT UY VC VE VG',
};

const TABLE = new Map<string, Region>();
for (const [region, codes] of Object.entries(BY_REGION) as [Region, string][]) {
  for (const code of codes.split(' ')) TABLE.set(code, region);
}

export const COUNTRY_CODES: readonly string[] = [...TABLE.keys()].sort();

export function regionOf(country: string): Region | undefined {
  return TABLE.get(country.toUpperCase());
}

export function isKnownCountry(country: string): boolean {
  return TABLE.has(country.toUpperCase());
}
