/**
 * Raised by the pure domain rules when input breaks an invariant. The GraphQL layer turns it into a
 * BAD_USER_INPUT error naming `field`; keeping it framework-free lets the rules be unit-tested alone.
 */
export class RuleViolation extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'RuleViolation';
  }
}

export function rule(condition: unknown, field: string, message: string): asserts condition {
  if (!condition) throw new RuleViolation(field, message);
}
