import { i18n } from '../../../i18n/i18n.ts';
import adminZh from '../../../i18n/locales/zh-CN/admin.json';

/**
 * Labels of audit entries: known entity types, actions and fields are translated, others shown as
 * recorded. Call from components that use useTranslation, so they re-render on a language switch.
 */
type EntityTypeKey = keyof typeof adminZh.entityTypes;
type ActionKey = keyof typeof adminZh.actions;
type FieldKey = keyof typeof adminZh.fields;

const isKey = <K extends string>(table: Record<K, string>, key: string): key is K => Object.hasOwn(table, key);

export function entityTypeLabel(type: string): string {
  return isKey<EntityTypeKey>(adminZh.entityTypes, type) ? i18n.t(`admin:entityTypes.${type}`) : type;
}

export function actionLabel(action: string): string {
  return isKey<ActionKey>(adminZh.actions, action) ? i18n.t(`admin:actions.${action}`) : action;
}

export function fieldLabel(field: string): string {
  return isKey<FieldKey>(adminZh.fields, field) ? i18n.t(`admin:fields.${field}`) : field;
}

export const KNOWN_ENTITY_TYPES = Object.keys(adminZh.entityTypes) as EntityTypeKey[];
