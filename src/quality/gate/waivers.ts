// Waivers (`waivers`, YAML): a finding (CVE, rule id), or a failed test (its name), accepted for
// a while, with a reason and an owner. A waiver past its `expires` date waives nothing and fails
// the gate naming its owner; a waiver that matched nothing is a warning.
//
//   waivers:
//     - id: CVE-2024-3094
//       reason: not reachable, the binary is not in the image
//       owner: "@acme/platform"
//       expires: 2026-12-31
import { UserError, shown } from '../../lib/errors.ts';
import { type Offender, type RuleResult, rule } from './result.ts';
import { isMapping, list, mapping, onlyKeys, parseYamlFile, scalarText } from './yaml-file.ts';

export interface Waiver {
  /** A finding's id (CVE, GHSA, rule id) or fingerprint, or a test's name (`name`, `classname.name`). */
  readonly id: string;
  readonly reason: string;
  readonly owner: string;
  /** `YYYY-MM-DD`: the waiver holds through that day (UTC). */
  readonly expires: string;
  /** Where it was declared, for messages. */
  readonly source: string;
  /** From a .trivyignore.yaml: Trivy has usually dropped what it waives, so unused is normal. */
  readonly trivy?: true;
}

const KEYS = ['id', 'reason', 'owner', 'expires'] as const;
const DAY_MS = 86_400_000;

/** The sections of Trivy's ignore file (docs/guide/configuration/filtering.md). */
const TRIVY_SECTIONS = ['vulnerabilities', 'misconfigurations', 'secrets', 'licenses'] as const;
const TRIVY_KEYS = ['id', 'paths', 'purls', 'expired_at', 'statement'] as const;
/** A Trivy entry without expired_at never expires. */
const NEVER = '9999-12-31';

export function parseWaivers(file: string, text: string): Waiver[] {
  const document = parseYamlFile(file, text);
  if (document === null || document === undefined) return [];
  if (
    isMapping(document) &&
    Object.keys(document).length > 0 &&
    Object.keys(document).every((k) => (TRIVY_SECTIONS as readonly string[]).includes(k))
  ) {
    return parseTrivyIgnore(file, document);
  }
  const entries = Array.isArray(document)
    ? document
    : isMapping(document) && Object.keys(document).every((k) => k === 'waivers')
      ? document.waivers == null
        ? []
        : list(file, 'waivers', document.waivers)
      : list(file, 'waivers', document);
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const key = `waivers[${index}]`;
    const given = mapping(file, key, entry);
    onlyKeys(file, key, given, KEYS);
    const value = (name: (typeof KEYS)[number]) => {
      const raw = given[name] == null ? '' : scalarText(file, `${key}.${name}`, given[name]).trim();
      if (raw === '') {
        throw new UserError(
          `${file}: '${key}.${name}' is missing: every waiver names ${KEYS.join(', ')}.`,
        );
      }
      return raw;
    };
    const waiver = {
      id: value('id'),
      reason: value('reason'),
      owner: value('owner'),
      expires: value('expires'),
      source: `${file} ${key}`,
    };
    checkDate(file, `${key}.expires`, waiver.expires);
    if (seen.has(waiver.id)) {
      throw new UserError(`${file}: '${key}.id' ${shown(waiver.id)} is waived twice: keep one.`);
    }
    seen.add(waiver.id);
    return waiver;
  });
}

/**
 * Trivy's `.trivyignore.yaml`: each entry waives its id (paths and purls are Trivy's to apply);
 * `expired_at` is honoured like `expires`, and the owner is the file, which names none.
 */
function parseTrivyIgnore(file: string, document: Record<string, unknown>): Waiver[] {
  const waivers: Waiver[] = [];
  for (const section of TRIVY_SECTIONS) {
    if (document[section] == null) continue;
    list(file, section, document[section]).forEach((entry, index) => {
      const key = `${section}[${index}]`;
      const given = mapping(file, key, entry);
      onlyKeys(file, key, given, TRIVY_KEYS);
      const id = given.id == null ? '' : scalarText(file, `${key}.id`, given.id).trim();
      if (id === '')
        throw new UserError(`${file}: '${key}.id' is missing: every entry names an id.`);
      const expires =
        given.expired_at == null
          ? NEVER
          : scalarText(file, `${key}.expired_at`, given.expired_at).trim();
      checkDate(file, `${key}.expired_at`, expires);
      if (waivers.some((w) => w.id === id)) return;
      waivers.push({
        id,
        reason:
          given.statement == null
            ? 'listed in the Trivy ignore file'
            : scalarText(file, `${key}.statement`, given.statement),
        owner: `not named (${file})`,
        expires,
        source: `${file} ${key}`,
        trivy: true,
      });
    });
  }
  return waivers;
}

function checkDate(file: string, key: string, date: string): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(dayEnd(date))) {
    throw new UserError(`${file}: '${key}' is ${shown(date)}: use a date such as 2026-12-31.`);
  }
}

/** The first instant after the day `expires` names (UTC). */
function dayEnd(expires: string): number {
  const start = Date.parse(`${expires}T00:00:00Z`);
  return new Date(start).toISOString().slice(0, 10) === expires ? start + DAY_MS : NaN;
}

/** The waivers in force at one instant, and which of them were used. */
export class WaiverBook {
  private readonly active = new Map<string, Waiver>();
  private readonly expired: Waiver[] = [];
  private readonly used = new Set<Waiver>();
  private readonly expiredHits = new Map<Waiver, number>();
  private readonly all: readonly Waiver[];

  constructor(waivers: readonly Waiver[], now: number) {
    this.all = waivers;
    for (const waiver of waivers) {
      if (now >= dayEnd(waiver.expires)) this.expired.push(waiver);
      else this.active.set(waiver.id, waiver);
    }
  }

  /** The active waiver for any of `ids`; marks it used. An expired one is noted, never applied. */
  waives(ids: readonly (string | undefined)[]): Waiver | undefined {
    for (const id of ids) {
      if (id === undefined) continue;
      const waiver = this.active.get(id);
      if (waiver) {
        this.used.add(waiver);
        return waiver;
      }
      const lapsed = this.expired.find((w) => w.id === id);
      if (lapsed) this.expiredHits.set(lapsed, (this.expiredHits.get(lapsed) ?? 0) + 1);
    }
    return undefined;
  }

  /** The `waivers` rule: fails on an expired waiver, naming its owner. */
  judge(): { result: RuleResult | undefined; warnings: string[] } {
    if (this.all.length === 0) return { result: undefined, warnings: [] };
    const offenders: Offender[] = this.expired.map((w) => ({
      message: `waiver for ${w.id} expired on ${w.expires} (owner ${w.owner}, ${w.source})${this.expiredHits.has(w) ? `: it no longer waives ${this.expiredHits.get(w)} item(s)` : ''}; renew it or fix what it waived`,
    }));
    const warnings = [...this.active.values()]
      .filter((w) => !this.used.has(w) && !w.trivy)
      .map((w) => `waiver for ${w.id} (owner ${w.owner}, ${w.source}) matched nothing: remove it`);
    const result = rule('waivers', offenders.length > 0 ? 'fail' : 'pass', {
      figure: `${this.used.size} used, ${this.expired.length} expired`,
      threshold: '0 expired',
      offenders,
    });
    return { result, warnings };
  }
}
