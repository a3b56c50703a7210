import { reactive, ref, shallowRef, toRefs } from 'vue';

export interface RequestOptions<R> {
  /** Applies a result; called for the latest run only, so a slow earlier answer never overwrites a newer one. */
  onSuccess?: (result: R) => void;
}

export interface Request<A extends unknown[], R> {
  /** Runs the request; resolves with its result, or `undefined` when it failed (the error is in `error`). */
  run(...args: A): Promise<R | undefined>;
  busy: boolean;
  /** The last run's error, for `<ErrorAlert>`; cleared when the next run starts. */
  error: unknown;
  /** The last run succeeded (a "Saved." note); cleared when the next run starts. */
  done: boolean;
  /** The last successful result. */
  data: R | undefined;
}

/**
 * The loading/error bookkeeping of one request a view makes, as one reactive
 * object: `save.run()`, `save.busy`, `save.error`. Only the latest run writes
 * its outcome (`busy`, `error`, `data`, `onSuccess`).
 */
export function useRequest<A extends unknown[], R>(fn: (...args: A) => Promise<R>, options: RequestOptions<R> = {}): Request<A, R> {
  const busy = ref(false);
  const error = shallowRef<unknown>(null);
  const done = ref(false);
  const data = shallowRef<R | undefined>(undefined);
  let latest = 0;

  async function run(...args: A): Promise<R | undefined> {
    const mine = ++latest;
    busy.value = true;
    error.value = null;
    done.value = false;
    try {
      const result = await fn(...args);
      if (mine === latest) {
        data.value = result;
        done.value = true;
        options.onSuccess?.(result);
      }
      return result;
    } catch (err) {
      if (mine === latest) error.value = err;
      return undefined;
    } finally {
      if (mine === latest) busy.value = false;
    }
  }

  return reactive({ run, busy, error, done, data }) as Request<A, R>;
}

export interface NamedRequest extends Request<[name: string, fn: () => Promise<void>], void> {
  /** The name of the run in progress, or `null`. */
  running: string | null;
}

/**
 * One request behind several buttons (take over, release, reply; or a PDF per
 * invoice): each run names itself, so its button can say it is working while
 * the others wait, and all of them share one error line.
 */
export function useNamedRequest(): NamedRequest {
  const running = ref<string | null>(null);
  const request = useRequest(async (name: string, fn: () => Promise<void>) => {
    running.value = name;
    try {
      await fn();
    } finally {
      running.value = null;
    }
  });
  return reactive({ ...toRefs(request), running }) as NamedRequest;
}
