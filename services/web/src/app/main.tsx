import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { App } from './App';
import { SessionProvider } from './lib/auth';
import './styles.css';

// A data router (one catch-all route around the app's own <Routes>), so a page with unsaved input can hold a
// navigation back and ask first (useBlocker works only under one); the routes themselves stay in App.
const router = createBrowserRouter([
  {
    path: '*',
    element: (
      <SessionProvider>
        <App />
      </SessionProvider>
    ),
  },
]);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RouterProvider router={router} />
  </StrictMode>,
);
