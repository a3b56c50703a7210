/**
 * Checks rendered Kubernetes manifests against the API's schemas, using the
 * validators `kubernetes-models` generates from the Kubernetes OpenAPI
 * document (one model class per kind, each with `validate()`).
 *
 * Those validators check types, enums and required fields but accept any
 * extra key, because the OpenAPI document does not say
 * `additionalProperties: false`. The API server does refuse unknown fields
 * (kubectl's strict field validation), and a misspelt key such as
 * `livenessProbes` would otherwise pass silently. So the object handed to the
 * validator records which keys it reads: a generated validator reads every
 * property its schema declares (and iterates the keys of maps such as labels),
 * so a key it never read is one the schema does not know.
 */
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';

interface ModelClass {
  apiVersion: string;
  kind: string;
  new (data?: object): object;
  prototype: { validate(): void };
}

const isModelClass = (value: unknown): value is ModelClass =>
  typeof value === 'function' &&
  typeof (value as Partial<ModelClass>).apiVersion === 'string' &&
  typeof (value as Partial<ModelClass>).kind === 'string' &&
  typeof (value as Partial<ModelClass>).prototype?.validate === 'function';

/** The kinds a chart may render here, by `apiVersion/kind`. Anything else is reported, not skipped. */
const models = new Map<string, ModelClass>();
for (const group of [apps, autoscaling, batch, networking, policy, core]) {
  for (const exported of Object.values(group)) {
    if (isModelClass(exported)) models.set(`${exported.apiVersion}/${exported.kind}`, exported);
  }
}

type Seen = WeakMap<object, Set<string>>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** A view of `target` (and everything under it) that notes every key read through it. */
function recording(target: object, seen: Seen): object {
  if (!seen.has(target)) seen.set(target, new Set());
  const keys = seen.get(target)!;
  return new Proxy(target, {
    get(t, prop, receiver) {
      if (typeof prop === 'string') keys.add(prop);
      const value: unknown = Reflect.get(t, prop, receiver);
      return isObject(value) ? recording(value, seen) : value;
    },
    // Iterating an object's keys is how a validator checks a map (labels, resources.limits): all of them are accepted.
    ownKeys(t) {
      const own = Reflect.ownKeys(t);
      for (const k of own) if (typeof k === 'string') keys.add(k);
      return own;
    },
  });
}

function unknownFields(node: unknown, seen: Seen, at: string, out: string[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => unknownFields(item, seen, `${at}[${i}]`, out));
    return;
  }
  if (!isObject(node)) return;
  const read = seen.get(node);
  for (const [key, value] of Object.entries(node)) {
    const here = at ? `${at}.${key}` : key;
    // A node the validator never entered sits under a field already reported (or under a free-form value).
    if (read && !read.has(key)) out.push(`${here}: unknown field`);
    else unknownFields(value, seen, here, out);
  }
}

/** Problems with one manifest (empty when it is valid): schema violations and unknown fields, each with its path. */
export function manifestProblems(manifest: unknown): string[] {
  if (!isObject(manifest) || typeof manifest.apiVersion !== 'string' || typeof manifest.kind !== 'string') {
    return ['not a Kubernetes object (apiVersion and kind are required)'];
  }
  const Model = models.get(`${manifest.apiVersion}/${manifest.kind}`);
  if (!Model) return [`no schema for ${manifest.apiVersion} ${manifest.kind}`];
  const model = new Model(manifest);
  const seen: Seen = new WeakMap();
  const problems: string[] = [];
  try {
    Model.prototype.validate.call(recording(model, seen));
  } catch (err) {
    problems.push(...(err instanceof Error ? err.message : String(err)).split(', ').map((m) => m.replace(/^data\/?/, '/')));
  }
  unknownFields(model, seen, '', problems);
  return problems;
}

/** `Kind/name` for messages. */
export function manifestName(manifest: unknown): string {
  if (!isObject(manifest)) return String(manifest);
  const meta = isObject(manifest.metadata) ? manifest.metadata : {};
  return `${String(manifest.kind)}/${String(meta.name)}`;
}
