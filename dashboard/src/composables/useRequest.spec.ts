import { describe, expect, it, vi } from 'vitest';
import { useNamedRequest, useRequest } from './useRequest';

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('useRequest', () => {
  it('is busy while the request runs, then keeps its result', async () => {
    const answer = deferred<number>();
    const req = useRequest(() => answer.promise);
    const running = req.run();
    expect(req.busy).toBe(true);
    answer.resolve(42);
    expect(await running).toBe(42);
    expect(req).toMatchObject({ busy: false, done: true, error: null, data: 42 });
  });

  it('keeps the error for the view and clears it on the next run', async () => {
    const fn = vi.fn<() => Promise<string>>().mockRejectedValueOnce(new Error('refused')).mockResolvedValueOnce('ok');
    const req = useRequest(fn);
    expect(await req.run()).toBeUndefined();
    expect(req).toMatchObject({ busy: false, done: false });
    expect((req.error as Error).message).toBe('refused');
    await req.run();
    expect(req).toMatchObject({ error: null, done: true, data: 'ok' });
  });

  it('lets only the latest run write its outcome', async () => {
    const first = deferred<string>();
    const second = deferred<string>();
    const applied: string[] = [];
    const req = useRequest((p: Promise<string>) => p, { onSuccess: (v) => applied.push(v) });
    const a = req.run(first.promise);
    const b = req.run(second.promise);
    second.resolve('new');
    await b;
    first.reject(new Error('old failure'));
    await a;
    expect(applied).toEqual(['new']);
    expect(req).toMatchObject({ data: 'new', error: null, busy: false });
  });
});

describe('useNamedRequest', () => {
  it('names the run in progress and shares its error', async () => {
    const pdf = deferred<void>();
    const req = useNamedRequest();
    const running = req.run('pdf-1', () => pdf.promise);
    expect(req).toMatchObject({ running: 'pdf-1', busy: true });
    pdf.reject(new Error('gone'));
    await running;
    expect(req.running).toBeNull();
    expect((req.error as Error).message).toBe('gone');
  });
});
