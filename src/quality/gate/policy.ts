// The policy file (`policy`, YAML): thresholds per rule, coverage targets per path, and which
// report kinds are required or optional. Every key is checked before any report is read.
//
//   rules:            { min-coverage: 85, fail-on: high, max-p95-latency: 1500ms, … }
//   coverage-targets: [ { path: "src/payments/**", min: 95 } ]
//   reports:          { coverage: required, performance: optional }
import { UserError, shown } from '../../lib/errors.ts';
import { REPORT_KINDS, type ReportKind } from './result.ts';
import { THRESHOLD_NAMES, THRESHOLD_PARSERS, type Thresholds, parsePercent } from './thresholds.ts';
import { isMapping, list, mapping, onlyKeys, parseYamlFile, scalarText } from './yaml-file.ts';

export interface CoverageTarget {
  /** A glob over workspace-relative paths (`src/payments/**`). */
  readonly path: string;
  readonly min: number;
}

/** `required`: a kind the run must report; `optional`: its missing or broken reports only warn. */
export type ReportRequirement = 'required' | 'optional';

export interface Policy {
  readonly thresholds: Partial<Thresholds>;
  readonly coverageTargets: readonly CoverageTarget[];
  readonly reports: Readonly<Partial<Record<ReportKind, ReportRequirement>>>;
}

export const EMPTY_POLICY: Policy = { thresholds: {}, coverageTargets: [], reports: {} };

const TOP_KEYS = ['version', 'rules', 'coverage-targets', 'reports'] as const;

export function parsePolicy(file: string, text: string): Policy {
  const document = parseYamlFile(file, text);
  if (document === null || document === undefined) return EMPTY_POLICY;
  if (!isMapping(document)) {
    throw new UserError(`${file}: the policy must be a mapping with ${TOP_KEYS.join(', ')}.`);
  }
  onlyKeys(file, '', document, TOP_KEYS);
  if (document.version !== undefined && document.version !== 1) {
    throw new UserError(`${file}: 'version' is ${shown(String(document.version))}: use 1.`);
  }
  let thresholds: Partial<Thresholds> = {};
  if (document.rules !== undefined && document.rules !== null) {
    const rules = mapping(file, 'rules', document.rules);
    onlyKeys(file, 'rules', rules, THRESHOLD_NAMES);
    for (const name of THRESHOLD_NAMES) {
      if (!(name in rules)) continue;
      const key = `rules.${name}`;
      const where = `${file}: '${key}'`;
      thresholds = {
        ...thresholds,
        ...THRESHOLD_PARSERS[name](where, scalarText(file, key, rules[name])),
      };
    }
  }
  const coverageTargets = (
    document['coverage-targets'] == null
      ? []
      : list(file, 'coverage-targets', document['coverage-targets'])
  ).map((entry, index) => coverageTarget(file, `coverage-targets[${index}]`, entry));
  const reports: Partial<Record<ReportKind, ReportRequirement>> = {};
  if (document.reports != null) {
    const given = mapping(file, 'reports', document.reports);
    onlyKeys(file, 'reports', given, REPORT_KINDS);
    for (const kind of REPORT_KINDS) {
      if (!(kind in given)) continue;
      const value = scalarText(file, `reports.${kind}`, given[kind]);
      if (value !== 'required' && value !== 'optional') {
        throw new UserError(
          `${file}: 'reports.${kind}' is ${shown(value)}: use required or optional.`,
        );
      }
      reports[kind] = value;
    }
  }
  return { thresholds, coverageTargets, reports };
}

function coverageTarget(file: string, key: string, entry: unknown): CoverageTarget {
  const target = mapping(file, key, entry);
  onlyKeys(file, key, target, ['path', 'min']);
  const path = target.path === undefined ? '' : scalarText(file, `${key}.path`, target.path).trim();
  if (path === '') {
    throw new UserError(`${file}: '${key}.path' is missing: give a glob such as src/payments/**.`);
  }
  if (target.min === undefined) {
    throw new UserError(`${file}: '${key}.min' is missing: give a percentage such as 90.`);
  }
  const min = parsePercent(
    `${file}: '${key}.min'`,
    scalarText(file, `${key}.min`, target.min),
    false,
  )!;
  return { path, min };
}
