import { useEffect, useRef } from 'react';

/** A tab shown and a window focused usually come together: one call for both. */
const WAKE_GAP_MS = 2_000;

/**
 * Calls `tick` every `ms` while the document is visible, and once when the tab is shown again or the window
 * gets the focus back (unless it ran in the last two seconds); nothing while hidden, nothing after unmount.
 * For pages the API cannot push to (a holder's tickets, the organizer's waiting-room panel).
 */
export function useWhileVisible(tick: () => void, ms: number): void {
  const latest = useRef(tick);
  useEffect(() => {
    latest.current = tick;
  });
  useEffect(() => {
    let timer: number | undefined;
    let last = Date.now();
    const run = () => {
      last = Date.now();
      latest.current();
    };
    const stop = () => {
      window.clearInterval(timer);
      timer = undefined;
    };
    const start = () => {
      stop();
      timer = window.setInterval(run, ms);
    };
    const wake = () => {
      if (document.visibilityState !== 'visible') return stop();
      if (Date.now() - last >= WAKE_GAP_MS) run();
      // The next tick a whole period after this one.
      start();
    };
    if (document.visibilityState === 'visible') start();
    document.addEventListener('visibilitychange', wake);
    window.addEventListener('focus', wake);
    return () => {
      stop();
      document.removeEventListener('visibilitychange', wake);
      window.removeEventListener('focus', wake);
    };
  }, [ms]);
}
