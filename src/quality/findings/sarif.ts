// SARIF 2.1.0: every run's results, streamed one at a time. Rules are looked up through
// ruleIndex / rule.index / ruleId in the driver or the extension named by rule.toolComponent.
import {
  type Finding,
  type FindingsCollector,
  type Severity,
  boundedMessage,
  fingerprintOf,
  isRecord,
  positiveInteger,
  RootMembers,
  text,
} from './model.ts';
import { type JsonChoice, type JsonPath, streamJson } from '../json-stream.ts';

type Json = Record<string, unknown>;

interface Run {
  tool: string;
  driverRules: readonly unknown[];
  extensions: readonly Json[];
  byId: Map<string, Json>;
}

/**
 * GitHub's bands for `security-severity` (a string, on the rule's `properties`): over 9.0
 * critical, 7.0–8.9 high, 4.0–6.9 medium, 3.9 and below low (reference/quality-gates.md,
 * "SARIF 2.1.0", docs quoted in mitre/saf#2123). Exactly 9.0 is not settled there; grype writes
 * "9.0" for its Critical and CVSS v3 calls 9.0 critical, so 9.0 is critical here. 0 (CVSS "none")
 * is negligible.
 */
export function severityFromScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'negligible';
}

/**
 * A result's level, SARIF §3.27.10 as the reference orders it: `result.level`, else the rule's
 * `defaultConfiguration.level`, else CodeQL's `problem.severity`, else `warning`; a result whose
 * `kind` is not `fail` (`review`, `open`) defaults to `none`.
 */
function levelOf(result: Json, rule: Json | undefined): string {
  const own = text(result['level']);
  if (own) return own;
  const configured = isRecord(rule?.['defaultConfiguration'])
    ? text(rule['defaultConfiguration']['level'])
    : undefined;
  if (configured) return configured;
  const problem = isRecord(rule?.['properties'])
    ? text(rule['properties']['problem.severity'])
    : undefined;
  if (problem) return problem === 'recommendation' ? 'note' : problem;
  const kind = text(result['kind']);
  return kind === undefined || kind === 'fail' ? 'warning' : 'none';
}

/** Levels as severities when there is no security-severity: error high, warning medium, note low. */
const LEVEL_SEVERITY: Record<string, Severity> = {
  error: 'high',
  warning: 'medium',
  note: 'low',
  none: 'negligible',
};

function securityScore(rule: Json | undefined): string | undefined {
  const properties = rule?.['properties'];
  if (!isRecord(properties)) return undefined;
  const score = properties['security-severity'];
  if (typeof score === 'number') return String(score);
  return typeof score === 'string' && Number.isFinite(Number.parseFloat(score)) ? score : undefined;
}

function ruleOf(result: Json, run: Run): Json | undefined {
  const reference = isRecord(result['rule']) ? result['rule'] : {};
  const component = isRecord(reference['toolComponent']) ? reference['toolComponent'] : undefined;
  let rules = run.driverRules;
  if (component) {
    const index = component['index'];
    const name = text(component['name']);
    const extension =
      typeof index === 'number'
        ? run.extensions[index]
        : run.extensions.find((e) => name !== undefined && e['name'] === name);
    rules = extension && Array.isArray(extension['rules']) ? extension['rules'] : [];
  }
  const index = result['ruleIndex'] ?? reference['index'];
  if (typeof index === 'number' && isRecord(rules[index])) return rules[index];
  const id = text(result['ruleId']) ?? text(reference['id']);
  return id === undefined ? undefined : run.byId.get(id);
}

function messageOf(result: Json, rule: Json | undefined): string {
  const message = isRecord(result['message']) ? result['message'] : {};
  let template = text(message['text']) ?? text(message['markdown']);
  const id = text(message['id']);
  if (template === undefined && id && isRecord(rule?.['messageStrings'])) {
    const entry = rule['messageStrings'][id];
    template = isRecord(entry) ? text(entry['text']) : undefined;
  }
  const args = Array.isArray(message['arguments']) ? message['arguments'] : [];
  if (args.length === 0) return boundedMessage(template ?? '');
  return boundedMessage(
    (template ?? '').replace(/\{(\d+)\}/g, (all, n: string) => String(args[Number(n)] ?? all)),
  );
}

/** A SARIF artifact URI as a path: `file://` dropped, percent-escapes decoded. */
export function uriPath(uri: string): string {
  const path = /^file:/i.test(uri) ? uri.replace(/^file:\/\/(localhost)?/i, '') : uri;
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function locationOf(result: Json): Finding['location'] {
  const first = Array.isArray(result['locations']) ? result['locations'][0] : undefined;
  const physical = isRecord(first) ? first['physicalLocation'] : undefined;
  if (!isRecord(physical)) return undefined;
  const artifact = isRecord(physical['artifactLocation']) ? physical['artifactLocation'] : {};
  const uri = text(artifact['uri']);
  if (uri === undefined) return undefined;
  const line = isRecord(physical['region'])
    ? positiveInteger(physical['region']['startLine'])
    : undefined;
  return { file: uriPath(uri), ...(line === undefined ? {} : { line }) };
}

/**
 * SARIF §3.35: a suppression without a status is accepted; `underReview` and `rejected` ones do
 * not suppress (the reference leaves GitHub's reading unverified; this is the spec's).
 */
function suppressionOf(result: Json): Finding['suppressed'] {
  const entries = Array.isArray(result['suppressions']) ? result['suppressions'] : [];
  for (const entry of entries) {
    if (!isRecord(entry)) continue;
    const status = entry['status'];
    if (status !== undefined && status !== 'accepted') continue;
    return {
      justification: boundedMessage(
        text(entry['justification']) ?? `suppressed (${text(entry['kind']) ?? 'no reason given'})`,
      ),
    };
  }
  return undefined;
}

const sortedEntries = (value: Json) =>
  Object.keys(value)
    .sort()
    .map((k) => `${k}=${String(value[k])}`)
    .join('\u0000');

/**
 * What makes a result the same one in the next run: the tool's `fingerprints`, else its
 * `partialFingerprints` (both stable by design, §3.27.16-17), else `correlationGuid`, else rule,
 * file and message (not the line, which moves when code above it changes). `guid` is not used:
 * it names this run's result and tools draw a new one every run.
 */
function fingerprint(
  tool: string,
  id: string,
  result: Json,
  location: Finding['location'],
  message: string,
) {
  for (const key of ['fingerprints', 'partialFingerprints'] as const) {
    const value = result[key];
    if (isRecord(value) && Object.keys(value).length > 0) {
      return fingerprintOf(tool, id, key, sortedEntries(value));
    }
  }
  const correlation = text(result['correlationGuid']);
  if (correlation) return fingerprintOf(tool, 'correlationGuid', correlation);
  return fingerprintOf(tool, id, location?.file, message);
}

/** Results that are not findings: passes and not-applicable checks, and ones fixed since the baseline. */
function isFinding(result: Json): boolean {
  const kind = result['kind'];
  if (kind === 'pass' || kind === 'notApplicable' || kind === 'informational') return false;
  return result['baselineState'] !== 'absent';
}

export function sarifFinding(result: Json, run: Run): Finding | undefined {
  if (!isFinding(result)) return undefined;
  const rule = ruleOf(result, run);
  const id = text(result['ruleId']) ?? text(rule?.['id']) ?? 'unknown-rule';
  const score = securityScore(rule);
  const level = levelOf(result, rule);
  const severity =
    score === undefined
      ? (LEVEL_SEVERITY[level] ?? 'unknown')
      : severityFromScore(Number.parseFloat(score));
  return new SarifFinding(run.tool, id, severity, score ?? level, result, rule);
}

/**
 * One SARIF result as a finding. Message and fingerprint are worked out when read, on the
 * prototype rather than as getters on each object: most results of a large log are only counted,
 * and building every message, or an accessor per object, cost a sixth of the parse.
 */
class SarifFinding implements Finding {
  readonly kind = 'code';
  declare readonly location?: NonNullable<Finding['location']>;
  declare readonly suppressed?: NonNullable<Finding['suppressed']>;
  readonly #result: Json;
  readonly #rule: Json | undefined;
  #message: string | undefined;
  readonly tool: string;
  readonly id: string;
  readonly severity: Severity;
  readonly toolSeverity: string;

  constructor(
    tool: string,
    id: string,
    severity: Severity,
    toolSeverity: string,
    result: Json,
    rule: Json | undefined,
  ) {
    this.tool = tool;
    this.id = id;
    this.severity = severity;
    this.toolSeverity = toolSeverity;
    this.#result = result;
    this.#rule = rule;
    const location = locationOf(result);
    if (location) (this as { location?: Finding['location'] }).location = location;
    const suppressed = suppressionOf(result);
    if (suppressed) (this as { suppressed?: Finding['suppressed'] }).suppressed = suppressed;
  }

  get message(): string {
    return (this.#message ??= messageOf(this.#result, this.#rule));
  }

  get fingerprint(): string {
    return fingerprint(this.tool, this.id, this.#result, this.location, this.message);
  }
}

function runOf(tool: unknown): Run {
  const driver = isRecord(tool) && isRecord(tool['driver']) ? tool['driver'] : {};
  const driverRules = Array.isArray(driver['rules']) ? driver['rules'] : [];
  const extensions =
    isRecord(tool) && Array.isArray(tool['extensions']) ? tool['extensions'].filter(isRecord) : [];
  const byId = new Map<string, Json>();
  for (const rules of [driverRules, ...extensions.map((e) => e['rules'])]) {
    if (!Array.isArray(rules)) continue;
    for (const rule of rules) {
      const id = isRecord(rule) ? text(rule['id']) : undefined;
      if (id !== undefined && !byId.has(id)) byId.set(id, rule as Json);
    }
  }
  return { tool: text(driver['name']) ?? 'SARIF', driverRules, extensions, byId };
}

/** Reads a SARIF 2.1.0 log, every run, a result at a time. */
export async function parseSarif(file: string, collector: FindingsCollector): Promise<void> {
  let runIndex = -1;
  let run: Run | undefined;
  // Results that came before their run's `tool` (SARIF does not fix the order; tools write
  // `tool` first): held until the rules are known.
  let early: Json[] = [];
  const endRun = () => {
    const late = run ?? runOf(undefined);
    for (const result of early) add(result, late);
    early = [];
    run = undefined;
  };
  const add = (result: Json, of: Run) => {
    const finding = sarifFinding(result, of);
    if (finding) collector.add(finding);
  };
  const root = new RootMembers();
  const choose = (path: JsonPath): JsonChoice => {
    root.note(path);
    switch (path.length) {
      case 0:
        return 'enter';
      case 1:
        return path[0] === 'runs' ? 'enter' : 'skip';
      case 2:
        if (path[1] !== runIndex) {
          endRun();
          runIndex = path[1] as number;
        }
        return 'enter';
      case 3:
        return path[2] === 'tool' ? 'take' : path[2] === 'results' ? 'enter' : 'skip';
      default:
        return 'take';
    }
  };
  await streamJson(file, {
    choose,
    onValue(path, value) {
      if (path[2] === 'tool') {
        run = runOf(value);
        collector.tools.add(run.tool);
      } else if (isRecord(value)) {
        if (run) add(value, run);
        else early.push(value);
      }
    },
  });
  endRun();
  root.require(file, 'a SARIF 2.1.0 log', 'runs');
}
