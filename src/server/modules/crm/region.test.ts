import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getCity, getProvince, isValidRegion, listCities, listProvinces, regionOfUscc, validateRegion } from './region.ts';
import { validateUscc } from '../../../shared/uscc.ts';

describe('provinces and cities', () => {
  it('lists the 31 mainland provincial divisions plus Taiwan, Hong Kong and Macau, ordered by code', () => {
    const provinces = listProvinces();
    expect(provinces).toHaveLength(34);
    expect(provinces.map((p) => p.code)).toEqual([...provinces.map((p) => p.code)].sort());
    expect(provinces.every((p) => /^\d{2}0000$/.test(p.code))).toBe(true);
    expect(provinces.filter((p) => p.kind === 'municipality').map((p) => p.name.zh)).toEqual(['北京市', '天津市', '上海市', '重庆市']);
    expect(provinces.filter((p) => p.kind === 'special_administrative_region').map((p) => p.code)).toEqual(['810000', '820000']);
    expect(provinces.filter((p) => p.kind === 'autonomous_region')).toHaveLength(5);
  });

  it('looks up provinces and cities by six-digit code', () => {
    expect(getProvince('440000')).toEqual({ code: '440000', name: { zh: '广东省' }, kind: 'province' });
    expect(getCity('440300')).toEqual({ code: '440300', provinceCode: '440000', name: { zh: '深圳市' }, isGrouping: false });
    // Dongguan and Zhongshan are prefecture-level cities without districts: still cities here.
    expect(getCity('441900')?.name.zh).toBe('东莞市');
    expect(getProvince('44')).toBeUndefined();
    expect(getProvince('440300')).toBeUndefined();
    expect(getCity('440000')).toBeUndefined();
  });

  it('a municipality has one city named like itself, so a two-level picker works everywhere', () => {
    expect(listCities('110000').map((c) => [c.code, c.name.zh])).toEqual([['110100', '北京市']]);
    expect(listCities('500000').map((c) => [c.code, c.name.zh, c.isGrouping])).toEqual([
      ['500100', '重庆市', false],
      ['500200', '县', true],
    ]);
  });

  it('flags directly administered county groupings', () => {
    expect(getCity('429000')).toMatchObject({ provinceCode: '420000', isGrouping: true });
    expect(listCities('420000').filter((c) => c.isGrouping).map((c) => c.code)).toEqual(['429000']);
  });

  it('cities of a province are ordered by code; an unknown province has none', () => {
    const gd = listCities('440000');
    expect(gd.length).toBe(21);
    expect(gd[0]?.name.zh).toBe('广州市');
    expect(gd.map((c) => c.code)).toEqual([...gd.map((c) => c.code)].sort());
    expect(listCities('990000')).toEqual([]);
  });

  it('returns frozen data, so one caller cannot corrupt another picker', () => {
    expect(Object.isFrozen(listProvinces())).toBe(true);
    expect(Object.isFrozen(listCities('440000'))).toBe(true);
    expect(Object.isFrozen(getCity('440300'))).toBe(true);
  });
});

describe('isValidRegion / validateRegion', () => {
  it('needs a known province, and a city of that province when one is given', () => {
    expect(isValidRegion({ provinceCode: '440000' })).toBe(true);
    expect(isValidRegion({ provinceCode: '440000', cityCode: null })).toBe(true);
    expect(isValidRegion({ provinceCode: '440000', cityCode: '440300' })).toBe(true);
    expect(isValidRegion({ provinceCode: '990000' })).toBe(false);
    expect(validateRegion({ provinceCode: '320000', cityCode: '440300' })).toEqual([{ path: 'cityCode', message: 'v:city_not_in_province' }]);
    expect(validateRegion({ provinceCode: '440000', cityCode: '449900' })).toEqual([{ path: 'cityCode', message: 'v:unknown_region' }]);
    expect(validateRegion({ provinceCode: 'x' })).toEqual([{ path: 'provinceCode', message: 'v:unknown_region' }]);
  });

  it('property: every city is valid under its own province and under no other', () => {
    const provinces = listProvinces();
    const cities = provinces.flatMap((p) => listCities(p.code));
    fc.assert(
      fc.property(fc.constantFrom(...cities), fc.constantFrom(...provinces), (city, province) => {
        expect(isValidRegion({ provinceCode: province.code, cityCode: city.code })).toBe(province.code === city.provinceCode);
      }),
    );
  });
});

describe('regionOfUscc', () => {
  const partsOf = (code: string) => {
    const res = validateUscc(code);
    if (!res.ok) throw new Error(`test fixture ${code} is not valid`);
    return res.parts;
  };

  it('derives province and city from real codes', () => {
    expect(regionOfUscc(partsOf('914403001922038216'))).toEqual({ provinceCode: '440000', cityCode: '440300' }); // Huawei, 深圳
    expect(regionOfUscc(partsOf('91110108551385082Q'))).toEqual({ provinceCode: '110000', cityCode: '110100' }); // Xiaomi, 海淀 110108
    expect(regionOfUscc(partsOf('91330100799655058B'))).toEqual({ provinceCode: '330000', cityCode: '330100' }); // Alibaba, 杭州
    // Baidu Netcom was registered at municipal level (110000): the province only.
    expect(regionOfUscc(partsOf('91110000802100433B'))).toEqual({ provinceCode: '110000', cityCode: null });
  });

  it('keeps the province when the prefecture was abolished, and gives up on non-provincial codes', () => {
    expect(regionOfUscc({ divisionCode: '371202' })).toEqual({ provinceCode: '370000', cityCode: null }); // 莱芜 → 济南 (2019)
    expect(regionOfUscc({ divisionCode: '429004' })).toEqual({ provinceCode: '420000', cityCode: '429000' }); // 仙桃, a grouping
    expect(regionOfUscc({ divisionCode: '100000' })).toBeNull(); // central authorities
    expect(regionOfUscc({ divisionCode: '4403AB' })).toBeNull();
  });

  it('property: any county code under a listed city maps back to that city', () => {
    const cities = listProvinces().flatMap((p) => listCities(p.code));
    fc.assert(
      fc.property(fc.constantFrom(...cities), fc.integer({ min: 1, max: 99 }), (city, county) => {
        const divisionCode = `${city.code.slice(0, 4)}${String(county).padStart(2, '0')}`;
        expect(regionOfUscc({ divisionCode })).toEqual({ provinceCode: city.provinceCode, cityCode: city.code });
      }),
    );
  });
});
