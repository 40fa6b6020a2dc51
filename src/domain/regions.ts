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
    'AD AT AX BE BG CH CY CZ DE DK EE ES FI FO FR GB GG GI GL GR HR HU IE IM IS IT JE LI LT LU LV MC MT NL NO PL PT RO SE SI SJ SK SM VA',
  'middle-east-cee':
    'AE AL AM AZ BA BH BY GE IL IQ IR JO KG KW KZ LB ME MD MK OM PS QA RS RU SA SY TJ TM TR UA UZ XK YE',
  africa:
    'AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RW SC SD SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW RE SH EH',
  'asia-pacific':
    'AF BD BN BT CC CK CX FJ FM HK ID IO KH KI LA LK MH MM MN MO MV MY NC NF NP NR NU PF PG PH PK PN PW SB SG TH TK TL TO TV VN VU WF WS',
  australia: 'AU',
  'new-zealand': 'NZ',
  brazil: 'BR',
  canada: 'CA',
  china: 'CN',
  india: 'IN',
  japan: 'JP',
  korea: 'KR',
  taiwan: 'TW',
  'united-states': 'US PR GU VI AS MP UM',
  'latin-america':
    'AG AI AR AW BB BM BO BS BZ CL CO CR CU CW DM DO EC GD GT GY HN HT JM KN KY LC MX NI PA PE PY SR SV TC TT UY VC VE VG BL BQ FK GF GP MF MQ MS PM SX',
};

// EU/EEA members, the UK and Switzerland are Europe; the other countries of central and eastern
// Europe, Turkey, Russia and the Middle East form the program's 'middle-east-cee' region. Canada and the
// US have their own regions; Mexico and the Caribbean are Latin America. Overseas territories follow
// the part of the world they sit in.
const TABLE = new Map<string, Region>();
for (const [region, codes] of Object.entries(BY_REGION) as [Region, string][]) {
  for (const code of codes.split(' ')) {
    if (TABLE.has(code)) throw new Error(`country ${code} is in two regions`);
    TABLE.set(code, region);
  }
}

export const COUNTRY_CODES: readonly string[] = [...TABLE.keys()].sort();

/** ISO 3166-1 alpha-2, any case; surrounding spaces are ignored. Unknown codes give undefined. */
export function regionOf(country: string): Region | undefined {
  return TABLE.get(country.trim().toUpperCase());
}

export function isKnownCountry(country: string): boolean {
  return TABLE.has(country.trim().toUpperCase());
}

/** The parameters of a region-mismatch refusal: both regions as people read them, and their ids. */
export function regionMismatch(partnerRegion: string, tenantRegion: string) {
  const name = (r: string) => REGION_NAMES[r as Region] ?? r;
  return {
    partnerRegion: name(partnerRegion),
    tenantRegion: name(tenantRegion),
    partnerRegionId: partnerRegion,
    tenantRegionId: tenantRegion,
  };
}
