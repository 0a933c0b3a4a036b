import { z } from 'zod';
import { Id, Timestamp, Version } from '../../../shared/api.ts';

/**
 * Saved views of the CRM lists, shared by server and web.
 *
 * A view stores a list's query as the list endpoint receives it: `definition.filters` are the
 * list's query parameters (`status=customer`, `stage=proposal,negotiation`, `cf.size=large`),
 * `definition.sort` its `sort` parameter, `definition.columns` the columns the table shows. The
 * shape is checked here; whether the filters and sort are ones the entity's list accepts is checked
 * on save by parsing them with that list's own query schema (view.ts), so a saved view can never
 * hold a filter the list would refuse.
 *
 * Visibility: my own views, plus views shared to a unit whose subtree contains my home unit (a view
 * shared to a team reaches the team; shared to a department, everyone in it and below).
 */

export const VIEW_ENTITIES = ['account', 'contact', 'opportunity'] as const;
export const ViewEntity = z.enum(VIEW_ENTITIES);
export type ViewEntity = z.infer<typeof ViewEntity>;

const FilterValue = z.union([z.string().max(1000), z.array(z.string().max(1000)).max(50)]);
/** A column of a list table: a field name, or `cf.<key>` for a custom field. */
const ColumnKey = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,59}$|^cf\.[a-z][a-z0-9_]{0,59}$/, { message: 'v:view_column' });

export const ViewDefinition = z.strictObject({
  filters: z.record(z.string().min(1).max(80), FilterValue).default({}),
  sort: z.string().min(1).max(80).optional(),
  columns: z.array(ColumnKey).max(60).optional(),
});
export type ViewDefinition = z.infer<typeof ViewDefinition>;

const ViewName = z.string().trim().min(1).max(80);

export const SavedView = z.object({
  id: Id,
  entity: ViewEntity,
  name: z.string(),
  ownerId: Id,
  ownerName: z.string().nullable(),
  /** Null: private to the owner. */
  sharedUnitId: Id.nullable(),
  sharedUnitName: z.string().nullable(),
  definition: z.object({
    filters: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
    sort: z.string().optional(),
    columns: z.array(z.string()).optional(),
  }),
  /** Is it the caller's own view (editable by them)? */
  mine: z.boolean(),
  version: Version,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type SavedView = z.infer<typeof SavedView>;

export const SavedViewList = z.object({ items: z.array(SavedView) });
export type SavedViewList = z.infer<typeof SavedViewList>;

export const ListViewsQuery = z.strictObject({ entity: ViewEntity });
export type ListViewsQuery = z.infer<typeof ListViewsQuery>;

export const CreateViewBody = z.strictObject({
  entity: ViewEntity,
  name: ViewName,
  definition: ViewDefinition,
  /** Share with a unit I belong to (my team or one above it) or one I head; omitted or null = private. */
  sharedUnitId: Id.nullable().optional(),
});
export type CreateViewBody = z.infer<typeof CreateViewBody>;

export const UpdateViewBody = z.strictObject({
  version: Version,
  name: ViewName.optional(),
  definition: ViewDefinition.optional(),
  sharedUnitId: Id.nullable().optional(),
});
export type UpdateViewBody = z.infer<typeof UpdateViewBody>;
