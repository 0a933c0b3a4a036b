import { TreeSelect } from 'antd';
import type { CSSProperties } from 'react';
import { useMemo } from 'react';
import { useLocale } from '../../i18n/use-locale.ts';
import { unitName } from './display-names.ts';
import { useUnitForest } from './org-queries.ts';
import type { UnitNode } from './org-tree.ts';

interface TreeOption {
  value: string;
  title: string;
  children: TreeOption[];
}

/** Pick an org unit from today's tree. */
export function UnitTreeSelect(props: {
  value?: string | null;
  onChange?: (value: string | null) => void;
  placeholder?: string;
  allowClear?: boolean;
  style?: CSSProperties;
  testId?: string;
}) {
  const locale = useLocale();
  const { forest } = useUnitForest();
  const treeData = useMemo(() => {
    const toOption = (n: UnitNode): TreeOption => ({ value: n.unit.id, title: unitName(n.unit, locale), children: n.children.map(toOption) });
    return forest?.roots.map(toOption) ?? [];
  }, [forest, locale]);
  return (
    <TreeSelect
      value={props.value ?? undefined}
      onChange={(v: string | undefined) => props.onChange?.(v ?? null)}
      treeData={treeData}
      treeDefaultExpandAll
      showSearch={{ treeNodeFilterProp: 'title' }}
      allowClear={props.allowClear ?? true}
      placeholder={props.placeholder}
      style={props.style}
      loading={!forest}
      data-testid={props.testId}
      popupMatchSelectWidth={false}
    />
  );
}
