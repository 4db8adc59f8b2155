export interface ContractIssue {
  /** Dotted path of the offending value, for example `data.lines.0.unitPrice.amount`. */
  path: string;
  message: string;
}

/** A message or payload that does not satisfy its contract. The message names every bad path. */
export class ContractError extends Error {
  override readonly name = 'ContractError';

  constructor(
    readonly issues: ContractIssue[],
    readonly eventType?: string,
  ) {
    super(
      `Invalid ${eventType ?? 'event'} envelope: ` +
        issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; '),
    );
  }
}

export function issuesFrom(
  zodIssues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  prefix?: string,
): ContractIssue[] {
  return zodIssues.map((issue) => ({
    path: [...(prefix ? [prefix] : []), ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}
