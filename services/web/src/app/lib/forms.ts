import { useEffect, useRef, useState, type FormEvent } from 'react';
import { fieldName, type ApiProblem } from './errors';
import { moneyInText, plainInputMessage, validityMessage, type FieldRule } from './format';

/**
 * The highest price of one ticket, as typed in major units of a two-decimal currency: the platform's
 * MAX_PRICE_MINOR (100,000,000 minor units, in @ticketing/contracts), which the event and pricing services refuse
 * above.
 */
export const MAX_AMOUNT = 1_000_000;

/**
 * An API refusal of the organizer forms (here and in the event editor) in words for a person: the blamed
 * field's label and limits replace graphql-js and class-validator wording, and minor units become money.
 */
export function worded(
  problem: ApiProblem | null,
  ruleOf: (field: string) => FieldRule | undefined,
  currency?: string,
): ApiProblem | null {
  if (!problem || problem.code !== 'BAD_USER_INPUT') return problem;
  const field = fieldName(problem);
  const message = plainInputMessage(problem.message, field ? ruleOf(field) : undefined);
  // A price ending is typed in cents ("between 0 and 99 minor units"); any other amount is money.
  const cents = message.replace(/between (\d+) and (\d+) minor units/, 'between $1 and $2 cents');
  return { ...problem, message: currency ? moneyInText(cents, currency) : cents };
}

/**
 * The top banner's problem when the form already shows the API's message under the field it blamed (`label`
 * names that field): a short pointer there, not the same sentence twice.
 */
export function pointerTo(problem: ApiProblem | null, label: string | null | undefined): ApiProblem | null {
  if (!problem || !label) return problem;
  return { ...problem, message: `Check the highlighted field (${label}).` };
}

/**
 * The browser's own checks of a form's inputs (min, max, step, maxLength), worded under each field by its
 * `name` as it is typed and when the form is submitted, so an out-of-range number is explained before anything
 * is sent. Spread `formProps` on the form; `error(name)` is the message for a Field. A field left empty keeps
 * the browser's own "required" message.
 */
export function useLocalErrors() {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const focusing = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(focusing.current), []);
  const inputOf = (target: EventTarget) =>
    (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) && target.name
      ? target
      : null;
  const put = (name: string, message: string | null) =>
    setErrors((all) => {
      if ((all[name] ?? null) === message) return all;
      const next = { ...all };
      if (message) next[name] = message;
      else delete next[name];
      return next;
    });
  return {
    formProps: {
      onInvalidCapture(e: FormEvent<HTMLFormElement>) {
        const input = inputOf(e.target);
        const message = input && validityMessage(input);
        if (!input || !message) return;
        // Our words under the field in place of the browser's bubble.
        e.preventDefault();
        put(input.name, message);
        // The browser focuses the first invalid field it reports; when we report them all, focus the first.
        if (focusing.current === undefined) {
          focusing.current = window.setTimeout(() => {
            focusing.current = undefined;
            if (!document.activeElement?.matches(':invalid')) input.focus();
          });
        }
      },
      onChange(e: FormEvent<HTMLFormElement>) {
        const input = inputOf(e.target);
        if (input) put(input.name, validityMessage(input));
      },
      /** A form that passes the browser's checks is sent: whatever they said before is over. */
      onSubmitCapture() {
        setErrors((all) => (Object.keys(all).length ? {} : all));
      },
    },
    error: (name: string): string | null => errors[name] ?? null,
  };
}
