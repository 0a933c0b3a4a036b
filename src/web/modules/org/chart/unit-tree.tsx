import { Input, Tag, Tree, Typography } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocale } from '../../../i18n/use-locale.ts';
import { unitName } from '../display-names.ts';
import { type UnitForest, type UnitNode, flattenForest, unitPath } from '../org-tree.ts';

const KIND_COLORS = { company: 'gold', business_group: 'blue', department: 'cyan', team: 'default' } as const;

/** The units as an antd Tree: name, kind and headcount (with sub-units); searchable by name. */
export function UnitTree({
  forest,
  selectedId,
  onSelect,
  initiallyOpen,
}: {
  forest: UnitForest;
  selectedId: string | undefined;
  onSelect: (unitId: string) => void;
  initiallyOpen: string | undefined;
}) {
  const { t } = useTranslation(['org', 'common']);
  const locale = useLocale();
  const [search, setSearch] = useState('');
  const [expanded, setExpanded] = useState<string[]>(() => {
    const top = flattenForest(forest)
      .filter((n) => n.unit.kind === 'company' || n.unit.kind === 'business_group')
      .map((n) => n.unit.id);
    return [...new Set([...top, ...unitPath(forest, initiallyOpen).map((u) => u.id)])];
  });

  const { treeData, matchIds } = useMemo(() => {
    const needle = search.trim().toLowerCase();
    const keep = new Set<string>();
    if (needle) {
      for (const n of flattenForest(forest)) {
        const names = [n.unit.nameZh, n.unit.nameEn ?? '', n.unit.code].map((s) => s.toLowerCase());
        if (names.some((s) => s.includes(needle))) for (const u of unitPath(forest, n.unit.id)) keep.add(u.id);
      }
    }
    const toNode = (n: UnitNode): DataNode | null => {
      if (needle && !keep.has(n.unit.id)) return null;
      return {
        key: n.unit.id,
        title: (
          <span data-testid="org-unit" data-unit-id={n.unit.id} style={{ display: 'inline-flex', alignItems: 'center', gap: 6 }}>
            {unitName(n.unit, locale)}
            <Tag color={KIND_COLORS[n.unit.kind]} style={{ marginInlineEnd: 0, fontSize: 11, lineHeight: '16px', paddingInline: 4 }}>
              {t(`common:unitKinds.${n.unit.kind}`)}
            </Tag>
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="org-unit-count">
              {t('chart.members', { count: n.subtreeCount })}
            </Typography.Text>
          </span>
        ),
        children: n.children.map(toNode).filter((c): c is DataNode => c !== null),
      };
    };
    return { treeData: forest.roots.map(toNode).filter((c): c is DataNode => c !== null), matchIds: needle ? [...keep] : null };
  }, [forest, search, locale, t]);

  return (
    <>
      <Input.Search
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        placeholder={t('chart.searchPlaceholder')}
        allowClear
        style={{ marginBottom: 12 }}
      />
      <Tree
        treeData={treeData}
        expandedKeys={matchIds ?? expanded}
        onExpand={(keys) => setExpanded(keys.map(String))}
        selectedKeys={selectedId ? [selectedId] : []}
        onSelect={(keys) => {
          const key = keys[0];
          if (key !== undefined) onSelect(String(key));
        }}
        blockNode
        showLine
        data-testid="org-tree"
      />
    </>
  );
}
