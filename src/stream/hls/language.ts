/**
 * BCP-47 tags for LANGUAGE, from the ISO 639-2 codes containers carry ('eng', 'fre'/'fra'). BCP-47 wants
 * the two-letter code where one exists; codes not in this table of common ones are left out rather than
 * guessed, since a wrong LANGUAGE is worse than none.
 */

const ISO639_2: Record<string, string> = {
  ara: 'ar',
  bul: 'bg',
  cat: 'ca',
  ces: 'cs',
  cze: 'cs',
  chi: 'zh',
  zho: 'zh',
  dan: 'da',
  deu: 'de',
  ger: 'de',
  ell: 'el',
  gre: 'el',
  eng: 'en',
  spa: 'es',
  est: 'et',
  fas: 'fa',
  per: 'fa',
  fin: 'fi',
  fra: 'fr',
  fre: 'fr',
  heb: 'he',
  hin: 'hi',
  hrv: 'hr',
  hun: 'hu',
  ind: 'id',
  ita: 'it',
  jpn: 'ja',
  kor: 'ko',
  lav: 'lv',
  lit: 'lt',
  msa: 'ms',
  may: 'ms',
  nld: 'nl',
  dut: 'nl',
  nor: 'no',
  nob: 'nb',
  nno: 'nn',
  pol: 'pl',
  por: 'pt',
  ron: 'ro',
  rum: 'ro',
  rus: 'ru',
  slk: 'sk',
  slo: 'sk',
  slv: 'sl',
  srp: 'sr',
  swe: 'sv',
  tha: 'th',
  tur: 'tr',
  ukr: 'uk',
  vie: 'vi',
  ice: 'is',
  isl: 'is',
  tam: 'ta',
  tel: 'te',
  ben: 'bn',
  urd: 'ur',
  fil: 'fil',
  tgl: 'tl',
};
const TWO_LETTER = new Set(Object.values(ISO639_2));

/** 'eng' → 'en', 'pt-BR' → 'pt-BR'; null for 'und', empty or unknown codes. */
export function bcp47(language: string | null | undefined): string | null {
  if (!language) return null;
  const [primary = '', ...rest] = language.trim().split(/[-_]/);
  const lower = primary.toLowerCase();
  const mapped = ISO639_2[lower] ?? (TWO_LETTER.has(lower) ? lower : null);
  if (!mapped) return null;
  // Keep a region subtag ('BR', 'US') when it is well formed; drop anything else.
  const region = rest[0] && /^[A-Za-z]{2}$/.test(rest[0]) ? `-${rest[0].toUpperCase()}` : '';
  return mapped + region;
}
