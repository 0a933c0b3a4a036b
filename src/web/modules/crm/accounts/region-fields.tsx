import { Col, Form, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { getCity, getProvince, listCities, listProvinces } from '../../../../server/modules/crm/region.ts';

/** "广东省 / 深圳市" for an account's division codes; the code itself when it is not a known division. */
export function regionText(provinceCode: string | null | undefined, cityCode: string | null | undefined): string {
  const parts: string[] = [];
  if (provinceCode) parts.push(getProvince(provinceCode)?.name.zh ?? provinceCode);
  if (cityCode) {
    const city = getCity(cityCode);
    // A municipality's one city entry repeats the province's name (北京市 / 北京市): show it once.
    if (!city || city.name.zh !== parts[0]) parts.push(city?.name.zh ?? cityCode);
  }
  return parts.join(' / ');
}

/**
 * Province and city pickers over the GB/T 2260 divisions (names are Chinese in both UI languages:
 * no maintained source carries English names). Choosing another province clears the city.
 */
export function RegionFields() {
  const { t } = useTranslation('crm');
  const form = Form.useFormInstance();
  const provinceCode = Form.useWatch<string | undefined>('provinceCode', form);
  const provinces = listProvinces().map((p) => ({ value: p.code, label: p.name.zh }));
  const cities = provinceCode ? listCities(provinceCode).map((c) => ({ value: c.code, label: c.name.zh })) : [];
  return (
    <>
      <Col span={6}>
        <Form.Item name="provinceCode" label={t('fields.provinceCode')}>
          <Select
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            options={provinces}
            onChange={() => form.setFieldValue('cityCode', undefined)}
            data-testid="account-form-provinceCode"
          />
        </Form.Item>
      </Col>
      <Col span={6}>
        <Form.Item name="cityCode" label={t('fields.cityCode')}>
          <Select allowClear showSearch={{ optionFilterProp: 'label' }} options={cities} disabled={!provinceCode} data-testid="account-form-cityCode" />
        </Form.Item>
      </Col>
    </>
  );
}
