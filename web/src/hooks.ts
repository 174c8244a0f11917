import { useCallback, useEffect, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

// Loads on mount and whenever `deps` change; a stale answer never overwrites a newer one.
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

// Search text applied after typing pauses, so each key press is not a request.
export function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

// What a page's last action came to: the error it failed with, or the
// notice it returned. `run` clears the previous error and says whether the
// action succeeded.
export function useAction() {
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  async function run(action: () => Promise<string | void>): Promise<boolean> {
    setError(null);
    try {
      const text = await action();
      if (text) setNotice(text);
      return true;
    } catch (err) {
      setError(err);
      return false;
    }
  }
  return { error, notice, setNotice, run };
}

// A searchable, paged list: typing (debounced) and any change in `deps`
// start again at the first page.
export function useSearchedList<T>(load: (search: string, offset: number) => Promise<T>, deps: unknown[] = []) {
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const search = useDebounced(q, 250);
  const list = useLoad(() => load(search, offset), [search, offset, ...deps]);
  function setQuery(v: string) {
    setQ(v);
    setOffset(0);
  }
  return { q, setQuery, search, offset, setOffset, list };
}
