// One read from the API as component state: loading, its data or its error, and a retry; the request of a previous
// key is aborted, so an answer that arrives late never shows on a page that moved on.
import { useEffect, useState } from 'preact/hooks';

export type Load<T> =
  | { state: 'loading'; data: null; error: null; retry: () => void }
  | { state: 'done'; data: T; error: null; retry: () => void }
  | { state: 'failed'; data: null; error: unknown; retry: () => void };

/** Runs `read` whenever `key` changes (null: nothing to read yet, stays loading). */
export function useLoad<T>(key: string | null, read: (signal: AbortSignal) => Promise<T>): Load<T> {
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<{ key: string | null; data: T | null; error: unknown; done: boolean }>({
    key: null,
    data: null,
    error: null,
    done: false,
  });
  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    setResult({ key, data: null, error: null, done: false });
    read(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setResult({ key, data, error: null, done: true });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setResult({ key, data: null, error, done: true });
      },
    );
    return () => controller.abort();
  }, [key, attempt]);
  const retry = () => setAttempt((n) => n + 1);
  if (result.key !== key || !result.done) return { state: 'loading', data: null, error: null, retry };
  if (result.error !== null) return { state: 'failed', data: null, error: result.error, retry };
  return { state: 'done', data: result.data as T, error: null, retry };
}
