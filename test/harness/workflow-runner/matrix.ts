// strategy.matrix expanded as GitHub does: the product of the keys, `exclude` removing the
// combinations it matches, `include` extending matching combinations or adding new ones.
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/running-variations-of-jobs-in-a-workflow
export type Combination = Record<string, unknown>;

export function expandMatrix(matrix: unknown): Combination[] {
  if (matrix === undefined || matrix === null) return [];
  if (typeof matrix !== 'object' || Array.isArray(matrix)) {
    throw new Error('strategy.matrix must be a mapping');
  }
  const { include = [], exclude = [], ...axes } = matrix as Record<string, unknown>;
  let combinations: Combination[] = [{}];
  for (const [key, values] of Object.entries(axes)) {
    if (!Array.isArray(values)) throw new Error(`strategy.matrix.${key} must be a sequence`);
    combinations = combinations.flatMap((combination) =>
      values.map((value: unknown) => ({ ...combination, [key]: value })),
    );
  }
  if (Object.keys(axes).length === 0) combinations = [];
  const matches = (combination: Combination, partial: Combination) =>
    Object.entries(partial).every(([key, value]) => equal(combination[key], value));
  combinations = combinations.filter(
    (combination) => !asList(exclude, 'exclude').some((rule) => matches(combination, rule)),
  );
  const original = new Set(Object.keys(axes));
  for (const rule of asList(include, 'include')) {
    const onOriginal = Object.fromEntries(
      Object.entries(rule).filter(([key]) => original.has(key)),
    );
    const targets = combinations.filter(
      (combination) =>
        matches(combination, onOriginal) &&
        Object.entries(rule).every(
          ([key, value]) =>
            original.has(key) || !(key in combination) || equal(combination[key], value),
        ),
    );
    if (targets.length === 0) combinations.push({ ...rule });
    else for (const target of targets) Object.assign(target, rule);
  }
  return combinations;
}

/** `job (a, 1)`, as GitHub names a matrix job. */
export function combinationLabel(combination: Combination): string {
  return Object.values(combination)
    .map((value) => (typeof value === 'object' ? JSON.stringify(value) : String(value)))
    .join(', ');
}

function asList(value: unknown, name: string): Combination[] {
  if (!Array.isArray(value)) throw new Error(`strategy.matrix.${name} must be a sequence`);
  return value as Combination[];
}

function equal(left: unknown, right: unknown): boolean {
  return JSON.stringify(left) === JSON.stringify(right);
}
