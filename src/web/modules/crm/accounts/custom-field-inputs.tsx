import { useQuery } from '@tanstack/react-query';
import { Col, Descriptions, Divider, Form, Input, InputNumber, Row, Select } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { CustomFieldDefinitionDto, CustomFieldDefinitionList, CustomFieldEntity } from '../../../../server/modules/crm/custom-field-contract.ts';
import { api } from '../../../http/api-client.ts';
import { useLocale } from '../../../i18n/use-locale.ts';
import { UserPicker } from '../../org/user-picker.tsx';
import { activeDefinitions, customValueText } from './custom-field-values.ts';

/** The active custom fields of an entity (none when the list cannot be read). */
export function useCustomFields(entity: CustomFieldEntity): CustomFieldDefinitionDto[] {
  const defs = useQuery({
    queryKey: ['crm', 'custom-fields', entity],
    queryFn: ({ signal }) => api.get<CustomFieldDefinitionList>('/api/v1/crm/custom-fields', { entity }, signal),
    staleTime: 5 * 60_000,
    retry: false,
  });
  // Stable between renders, so forms can fill their inputs once the definitions arrive.
  return useMemo(() => activeDefinitions(defs.data?.items ?? []), [defs.data]);
}

const labelOf = (d: CustomFieldDefinitionDto, locale: 'zh-CN' | 'en') => (locale === 'en' ? d.label.en : d.label.zh);

/** Form inputs for each active custom field, under `custom.<key>`. */
export function CustomFieldItems({ defs }: { defs: readonly CustomFieldDefinitionDto[] }) {
  const { t } = useTranslation('crm');
  const locale = useLocale();
  if (defs.length === 0) return null;
  const input = (d: CustomFieldDefinitionDto) => {
    const testId = `custom-${d.key}`;
    const options = (d.options ?? []).filter((o) => !o.archived).map((o) => ({ value: o.key, label: locale === 'en' ? o.label.en : o.label.zh }));
    switch (d.type) {
      case 'number':
        return <InputNumber style={{ width: '100%' }} data-testid={testId} />;
      case 'decimal_money':
        return <Input addonAfter={d.currency ?? 'CNY'} inputMode="decimal" data-testid={testId} />;
      case 'date':
        return <Input type="date" data-testid={testId} />;
      case 'single_select':
        return <Select allowClear options={options} data-testid={testId} />;
      case 'multi_select':
        return <Select mode="multiple" allowClear options={options} data-testid={testId} />;
      case 'user_ref':
        return <UserPicker testId={testId} />;
      case 'text':
        return <Input maxLength={d.maxLength} data-testid={testId} />;
    }
  };
  return (
    <>
      <Divider titlePlacement="start" plain>
        {t('fields.custom')}
      </Divider>
      <Row gutter={16}>
        {defs.map((d) => (
          <Col span={12} key={d.key}>
            <Form.Item name={['custom', d.key]} label={labelOf(d, locale)} rules={d.required ? [{ required: true, message: t('form.required') }] : undefined}>
              {input(d)}
            </Form.Item>
          </Col>
        ))}
      </Row>
    </>
  );
}

/** A record's custom values, read-only, in definition order. */
export function CustomValues({ entity, values }: { entity: CustomFieldEntity; values: Readonly<Record<string, unknown>> }) {
  const locale = useLocale();
  const defs = useCustomFields(entity);
  if (defs.length === 0) return null;
  return (
    <Descriptions size="small" column={1} style={{ marginTop: 12 }} data-testid="custom-values">
      {defs.map((d) => (
        <Descriptions.Item key={d.key} label={labelOf(d, locale)}>
          {customValueText(d, values[d.key], locale)}
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}
