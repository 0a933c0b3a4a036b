import { DeleteOutlined, SaveOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, type ButtonProps, Button, Input, Modal, Popconfirm, Select, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SavedView, SavedViewList } from '../../../../server/modules/crm/view-contract.ts';
import { useShowProblem } from '../../../components/use-show-problem.ts';
import { api } from '../../../http/api-client.ts';
import { ApiProblem } from '../../../http/api-problem.ts';
import { paramsFromView, viewDefinitionFromParams } from './saved-view-params.ts';

const viewsKey = ['crm', 'views', 'account'] as const;

/** Pick a saved view of the accounts list (mine and those shared with my unit), save the current filters as one. */
export function SavedViewsBar({ params, onApply }: { params: URLSearchParams; onApply: (next: URLSearchParams) => void }) {
  const { t } = useTranslation(['crm', 'common']);
  const { message } = App.useApp();
  const showProblem = useShowProblem();
  const queryClient = useQueryClient();
  const views = useQuery({
    queryKey: viewsKey,
    queryFn: ({ signal }) => api.get<SavedViewList>('/api/v1/crm/views', { entity: 'account' }, signal),
    retry: false,
  });
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [saving, setSaving] = useState(false);
  const [nameError, setNameError] = useState<string | null>(null);
  // The endpoint may be missing on an older server: then there is simply no view picker.
  if (views.error instanceof ApiProblem && views.error.status === 404) return null;
  const items = views.data?.items ?? [];
  const current = items.find((v) => v.id === selected);

  const save = async () => {
    setSaving(true);
    setNameError(null);
    try {
      const view = await api.create<SavedView>('/api/v1/crm/views', { entity: 'account', name: name.trim(), definition: viewDefinitionFromParams(params) });
      void message.success(t('views.saved', { name: view.name }));
      await queryClient.invalidateQueries({ queryKey: viewsKey });
      setSelected(view.id);
      setNaming(false);
      setName('');
    } catch (err) {
      if (err instanceof ApiProblem && err.errors.length > 0) setNameError(err.errors.map((e) => e.message).join(' '));
      else showProblem(err);
    } finally {
      setSaving(false);
    }
  };

  const remove = async (view: SavedView) => {
    try {
      await api.delete(`/api/v1/crm/views/${encodeURIComponent(view.id)}?version=${view.version}`);
      setSelected(undefined);
      await queryClient.invalidateQueries({ queryKey: viewsKey });
    } catch (err) {
      showProblem(err);
    }
  };

  return (
    <Space>
      <Select
        allowClear
        value={selected}
        placeholder={t('views.pick')}
        style={{ width: 200 }}
        options={items.map((v) => ({ value: v.id, label: v.sharedUnitName ? `${v.name} · ${v.sharedUnitName}` : v.name }))}
        onChange={(id: string | undefined) => {
          setSelected(id);
          const view = items.find((v) => v.id === id);
          onApply(view ? paramsFromView(view.definition) : new URLSearchParams());
        }}
        data-testid="accounts-view"
      />
      {current?.mine && (
        <Popconfirm title={t('views.deleteConfirm', { name: current.name })} onConfirm={() => void remove(current)}>
          <Button icon={<DeleteOutlined />} aria-label={t('views.delete')} data-testid="accounts-view-delete" />
        </Popconfirm>
      )}
      <Button icon={<SaveOutlined />} onClick={() => setNaming(true)} data-testid="accounts-view-save">
        {t('views.save')}
      </Button>
      <Modal
        open={naming}
        title={t('views.saveTitle')}
        onCancel={() => setNaming(false)}
        onOk={() => void save()}
        okText={t('common:actions.save')}
        cancelText={t('common:actions.cancel')}
        confirmLoading={saving}
        okButtonProps={{ disabled: name.trim() === '', 'data-testid': 'accounts-view-save-submit' } as ButtonProps}
        destroyOnHidden
      >
        <Input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('views.name')} status={nameError ? 'error' : undefined} data-testid="accounts-view-name" />
        {nameError && <div style={{ color: 'var(--ant-color-error)', marginTop: 4 }}>{nameError}</div>}
      </Modal>
    </Space>
  );
}
