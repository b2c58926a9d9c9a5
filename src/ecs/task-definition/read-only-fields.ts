// Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not take: the members of
// the SDK's TaskDefinition shape missing from RegisterTaskDefinitionRequest (a unit test checks
// this list against the installed SDK's schemas).
export const READ_ONLY_FIELDS: readonly string[] = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
  'deleteRequestedAt',
];

/** A shallow copy without the read-only fields; everything else, unknown fields too, kept. */
export function withoutReadOnlyFields<T extends object>(definition: T): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(definition).filter(([key]) => !READ_ONLY_FIELDS.includes(key)),
  );
}
