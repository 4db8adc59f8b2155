import { useCallback, useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { useBlocker, type BlockerFunction } from 'react-router';

/** What the browser's own question cannot say (it shows its fixed text): the in-app question. */
const LEAVE = 'You have changes that are not saved. Leave this page and lose them?';

/** The forms of one page that hold input not saved yet, each under a key of its own. */
export interface UnsavedChanges {
  mark(key: string, unsaved: boolean): void;
}

/**
 * Asks before typed input is lost: closing or reloading the tab (`beforeunload`, the browser's own prompt) and
 * leaving by a link or Back inside the app (react-router's blocker, which needs the data router of main.tsx).
 * One per page (a router holds one blocker at a time); its forms report through `useUnsaved`. The question is
 * decided when the navigation happens, from what the forms last reported, so a form that has just saved (and
 * says so before navigating on) is never held back.
 */
export function useUnsavedChangesGuard(): UnsavedChanges {
  const unsaved = useRef(new Set<string>());
  useEffect(() => {
    const beforeUnload = (e: BeforeUnloadEvent) => {
      if (!unsaved.current.size) return;
      e.preventDefault();
      // Older browsers ask only when returnValue is set.
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', beforeUnload);
    return () => window.removeEventListener('beforeunload', beforeUnload);
  }, []);
  const shouldBlock = useCallback<BlockerFunction>(
    ({ currentLocation, nextLocation }) =>
      unsaved.current.size > 0 && currentLocation.pathname !== nextLocation.pathname,
    [],
  );
  const blocker = useBlocker(shouldBlock);
  useEffect(() => {
    if (blocker.state !== 'blocked') return;
    if (window.confirm(LEAVE)) {
      // The input is given up: nothing is asked again while this page is still on screen (a reload there).
      unsaved.current.clear();
      blocker.proceed();
    } else blocker.reset();
  }, [blocker]);
  return useMemo(
    () => ({
      mark(key, value) {
        if (value) unsaved.current.add(key);
        else unsaved.current.delete(key);
      },
    }),
    [],
  );
}

/**
 * Reports a form's unsaved input to its page's guard (nothing once the form is gone). In the commit that shows
 * it (a layout effect): a "Saved." on screen is never followed by a question about the input it saved.
 */
export function useUnsaved(guard: UnsavedChanges | undefined, key: string, unsaved: boolean): void {
  useLayoutEffect(() => {
    guard?.mark(key, unsaved);
  }, [guard, key, unsaved]);
  useLayoutEffect(() => () => guard?.mark(key, false), [guard, key]);
}
