import type { FieldSpec } from '../sdk.ts';

export interface FieldSection {
  /** The group's name, or `null` for the fields that belong to no group. */
  name: string | null;
  fields: FieldSpec[];
}

/**
 * Fields by `order`; fields without one follow the ordered ones. The sort is stable, so
 * ties and unordered fields keep the order in which the plugin declared them.
 */
export function sortByOrder(fields: readonly FieldSpec[]): FieldSpec[] {
  const rank = (f: FieldSpec) => f.order ?? Number.POSITIVE_INFINITY;
  return [...fields].sort((a, b) => (rank(a) === rank(b) ? 0 : rank(a) < rank(b) ? -1 : 1));
}

/**
 * Splits fields into sections. Ungrouped fields come first (they are the plugin's main
 * settings and need no heading); then the groups named in `groups`, in that order; then any
 * other group in order of first appearance in the schema (as PluginConfig documents).
 * Groups without fields are skipped.
 */
export function groupFields(fields: readonly FieldSpec[], groups: readonly string[] = []): FieldSection[] {
  const byGroup = new Map<string | null, FieldSpec[]>();
  const appearance: string[] = [];
  for (const field of fields) {
    const name = field.group ? field.group : null;
    let list = byGroup.get(name);
    if (!list) {
      list = [];
      byGroup.set(name, list);
      if (name !== null) appearance.push(name);
    }
    list.push(field);
  }
  const names = [...new Set([...groups, ...appearance])];
  const sections: FieldSection[] = [];
  const ungrouped = byGroup.get(null);
  if (ungrouped) sections.push({ name: null, fields: sortByOrder(ungrouped) });
  for (const name of names) {
    const list = byGroup.get(name);
    if (list) sections.push({ name, fields: sortByOrder(list) });
  }
  return sections;
}

/** Consecutive sections that render together as one block of the form (form.css: `.pf-form__block`). */
export interface SectionBlock {
  /** The index of the block's first section among all sections. */
  start: number;
  sections: FieldSection[];
}

/**
 * Splits the sections into about √n blocks of about √n consecutive sections. A block out of
 * view skips its rendering as a whole (`content-visibility`, as each section inside it does
 * too), so a frame of a long form walks √n skipped blocks instead of n skipped sections: in
 * Chromium each `content-visibility: auto` element costs every frame an intersection check
 * and a place in the paint and layer walks, whether or not it is in view.
 */
export function sectionBlocks(sections: readonly FieldSection[]): SectionBlock[] {
  const size = Math.max(1, Math.ceil(Math.sqrt(sections.length)));
  const blocks: SectionBlock[] = [];
  for (let start = 0; start < sections.length; start += size) blocks.push({ start, sections: sections.slice(start, start + size) });
  return blocks;
}

/**
 * The height of a section's fields until they have been laid out, in rem: a row of two fields
 * at about 6rem (one per row on narrow screens, where this is an underestimate).
 */
export function estimatedFieldsHeightRem(section: FieldSection): number {
  return Math.ceil(section.fields.length / 2) * 6;
}
