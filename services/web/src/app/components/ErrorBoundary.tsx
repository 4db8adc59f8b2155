import { Component, type ErrorInfo, type ReactNode } from 'react';

/** Shows a message instead of a blank page when a page throws while rendering. */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.warn('page failed to render', error, info.componentStack);
  }

  override componentDidUpdate(previous: { resetKey: string }) {
    // Navigating elsewhere gives the new page a fresh start.
    if (previous.resetKey !== this.props.resetKey && this.state.failed) this.setState({ failed: false });
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <section role="alert">
        <h1>Something went wrong</h1>
        <p>This page could not be shown. Reload to try again.</p>
        <button type="button" className="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </section>
    );
  }
}
