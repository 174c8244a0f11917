// History-API routing under /admin/: the server answers every app path with
// index.html, so reloads and shared links land on the right page.
import { useEffect, useState } from 'preact/hooks';

const prefix = '/admin/';

export function currentRoute(): string {
  const p = location.pathname;
  return p.startsWith(prefix) ? decodeURIComponent(p.slice(prefix.length)).replace(/\/$/, '') : '';
}

export function navigate(route: string): void {
  history.pushState(null, '', prefix + route.split('/').map(encodeURIComponent).join('/'));
  dispatchEvent(new Event('copper:navigate'));
}

export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute());
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    addEventListener('popstate', update);
    addEventListener('copper:navigate', update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener('copper:navigate', update);
    };
  }, []);
  return route;
}

export function href(route: string): string {
  return prefix + route.split('/').map(encodeURIComponent).join('/');
}

// A plain link that navigates in place (ctrl/middle click still open a tab).
export function onLinkClick(e: MouseEvent, route: string): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(route);
}
