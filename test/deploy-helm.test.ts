/**
 * The Helm chart in deploy/helm/autocloser, checked without a cluster: `helm
 * lint --strict`, then `helm template` with the default values and with a
 * production-shaped values file, every rendered object validated against the
 * Kubernetes schemas (unknown fields included), and the properties the
 * deployment relies on asserted: the migrate hook, probes, drain time, PDBs,
 * network policies, autoscalers, a non-root read-only container. The probes
 * with broken input show that the schema check and values.schema.json reject
 * what they should.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { repoRoot } from '../config/env';
import { parsePayloadKeys } from '../temporal/payload-codec';
import { ensureHelm, runHelm } from '../tools/helm';
import { manifestName, manifestProblems } from './support/kubernetes-schema';

const chartDir = path.join(repoRoot, 'deploy', 'helm', 'autocloser');
const productionValues = path.join(chartDir, 'ci', 'production-values.yaml');
const RELEASE = 'ac';

/** A rendered object, loosely typed: the schema check has vouched for its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

async function render(args: string[] = []): Promise<Obj[]> {
  const result = await runHelm(['template', RELEASE, chartDir, '--namespace', 'autocloser', ...args]);
  assert.ok(result.ok, `helm template ${args.join(' ')} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map((d) => d.toJS() as unknown).filter((doc): doc is Obj => doc !== null && typeof doc === 'object');
}

const find = (objs: Obj[], kind: string, name: string): Obj => {
  const found = objs.find((o) => o.kind === kind && o.metadata?.name === name);
  assert.ok(found, `no ${kind}/${name} among ${objs.map(manifestName).join(', ')}`);
  return found;
};
const named = (suffix = '') => `${RELEASE}-autocloser${suffix}`;

function assertValid(objs: Obj[]): void {
  const problems = objs.flatMap((o) => manifestProblems(o).map((p) => `${manifestName(o)}: ${p}`));
  assert.deepEqual(problems, [], `rendered manifests break the Kubernetes schemas:\n${problems.join('\n')}`);
}

const containerOf = (workload: Obj) => workload.spec.template.spec.containers[0];

/** What every pod of the chart must be: not root, nothing writable but its emptyDirs, no API token. */
function assertLockedDown(workload: Obj): void {
  const pod = workload.spec.template.spec;
  const name = manifestName(workload);
  assert.equal(pod.securityContext.runAsNonRoot, true, `${name}: runAsNonRoot`);
  assert.ok(pod.securityContext.runAsUser > 0, `${name}: runs as a non-zero uid`);
  assert.equal(pod.automountServiceAccountToken, false, `${name}: no service account token`);
  for (const c of pod.containers) {
    assert.equal(c.securityContext.allowPrivilegeEscalation, false, `${name}/${c.name}: allowPrivilegeEscalation`);
    assert.equal(c.securityContext.readOnlyRootFilesystem, true, `${name}/${c.name}: read-only root`);
    assert.deepEqual(c.securityContext.capabilities.drop, ['ALL'], `${name}/${c.name}: drops every capability`);
    const tmp = c.volumeMounts.find((m: Obj) => m.mountPath === '/tmp');
    assert.ok(tmp, `${name}/${c.name}: a writable /tmp`);
    assert.ok(pod.volumes.find((v: Obj) => v.name === tmp.name).emptyDir, `${name}: /tmp is an emptyDir`);
    assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, `${name}/${c.name}: requests and a memory limit`);
  }
}

/** Each envFrom of each pod names a ConfigMap or Secret that is rendered, or one the values say exists. */
function assertReferencesResolve(objs: Obj[], external: string[]): void {
  for (const w of objs.filter((o) => o.kind === 'Deployment' || o.kind === 'Job')) {
    for (const from of containerOf(w).envFrom) {
      const [kind, ref] = from.configMapRef ? ['ConfigMap', from.configMapRef.name] : ['Secret', from.secretRef.name];
      const rendered = objs.some((o) => o.kind === kind && o.metadata.name === ref);
      assert.ok(rendered || external.includes(ref), `${manifestName(w)} reads ${kind}/${ref}, which is neither rendered nor given`);
    }
  }
}

const hookWeight = (o: Obj) => Number(o.metadata.annotations['helm.sh/hook-weight'] ?? 0);
const isHook = (o: Obj) => Boolean(o.metadata.annotations?.['helm.sh/hook']);

function assertMigrateHook(objs: Obj[]): void {
  const job = find(objs, 'Job', named('-migrate'));
  const a = job.metadata.annotations;
  assert.deepEqual(a['helm.sh/hook'].split(',').sort(), ['pre-install', 'pre-upgrade']);
  assert.ok(a['helm.sh/hook-delete-policy'].split(',').includes('before-hook-creation'), 'a rerun replaces the old Job');
  assert.deepEqual(containerOf(job).args, ['migrate']);
  assert.equal(job.spec.template.spec.restartPolicy, 'Never');
  // On a first install only hooks exist when the Job runs: whatever it reads must be a hook created before it, or external.
  for (const from of containerOf(job).envFrom) {
    const ref = from.configMapRef?.name ?? from.secretRef.name;
    const dep = objs.find((o) => o.metadata.name === ref && (from.configMapRef ? o.kind === 'ConfigMap' : o.kind === 'Secret'));
    if (!dep) continue;
    assert.ok(isHook(dep), `${manifestName(dep)} must be a hook: the Job runs before the release's objects exist`);
    assert.ok(hookWeight(dep) < hookWeight(job), `${manifestName(dep)} must be created before the Job`);
  }
}

function assertProbesAndDrain(objs: Obj[]): void {
  const config = find(objs, 'ConfigMap', named()).data;
  const api = containerOf(find(objs, 'Deployment', named('-api')));
  assert.deepEqual(api.args, ['api']);
  assert.equal(api.livenessProbe.httpGet.path, '/healthz');
  assert.equal(api.readinessProbe.httpGet.path, '/readyz');
  const apiPort = api.ports.find((p: Obj) => p.name === api.readinessProbe.httpGet.port);
  assert.equal(String(apiPort.containerPort), config.PORT, 'the probes hit the port the API listens on');

  const workerDeployment = find(objs, 'Deployment', named('-worker'));
  const worker = containerOf(workerDeployment);
  assert.deepEqual(worker.args, ['worker']);
  assert.equal(worker.livenessProbe.httpGet.path, '/healthz');
  assert.equal(worker.readinessProbe.httpGet.path, '/readyz', 'ready means polling, not only alive');
  const healthPort = worker.ports.find((p: Obj) => p.name === worker.livenessProbe.httpGet.port);
  assert.equal(String(healthPort.containerPort), config.WORKER_HEALTH_PORT, 'the probe hits the port the worker serves health on');
  // The worker lets in-flight tasks run for 20 s after SIGTERM (shutdownGraceTime), then closes its connections.
  assert.ok(workerDeployment.spec.template.spec.terminationGracePeriodSeconds > 20, 'the grace period covers the drain');
  // The health endpoint answers 503 while draining; the liveness probe must not kill a worker that is finishing its tasks.
  const { periodSeconds, failureThreshold } = worker.livenessProbe;
  assert.ok(periodSeconds * failureThreshold > 20, 'liveness outlasts the drain');
  // The API drains for SHUTDOWN_TIMEOUT_SECONDS after the preStop pause, and exits at most 5 s later.
  const apiPod = find(objs, 'Deployment', named('-api')).spec.template.spec;
  const drain = Number(api.env.find((e: Obj) => e.name === 'SHUTDOWN_TIMEOUT_SECONDS').value);
  assert.ok(apiPod.terminationGracePeriodSeconds >= api.lifecycle.preStop.sleep.seconds + drain + 5, 'the grace period covers the pause and the drain');
}

function assertDisruptionBudgets(objs: Obj[]): void {
  for (const role of ['api', 'worker']) {
    const pdb = find(objs, 'PodDisruptionBudget', named(`-${role}`));
    const podLabels = find(objs, 'Deployment', named(`-${role}`)).spec.template.metadata.labels;
    for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels)) assert.equal(podLabels[k], v, `the ${role} PDB selects the ${role} pods`);
    assert.ok(pdb.spec.maxUnavailable !== undefined || pdb.spec.minAvailable !== undefined);
  }
}

function assertNetworkPolicies(objs: Obj[], ingressNamespace: string): void {
  const egressPorts = (np: Obj) => new Set(np.spec.egress.flatMap((rule: Obj) => rule.ports.map((p: Obj) => p.port)));
  const api = find(objs, 'NetworkPolicy', named('-api'));
  assert.deepEqual(api.spec.policyTypes.sort(), ['Egress', 'Ingress']);
  assert.equal(api.spec.ingress.length, 1);
  assert.deepEqual(api.spec.ingress[0].from, [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ingressNamespace } } }]);
  const worker = find(objs, 'NetworkPolicy', named('-worker'));
  assert.ok(worker.spec.policyTypes.includes('Ingress'));
  assert.deepEqual(worker.spec.ingress, [], 'nothing may connect to a worker');
  for (const np of [api, worker, find(objs, 'NetworkPolicy', named('-migrate'))]) {
    for (const port of [53, 5432, 7233, 443]) assert.ok(egressPorts(np).has(port), `${manifestName(np)} allows egress to port ${port}`);
  }
  // Each policy selects exactly its role's pods.
  for (const role of ['api', 'worker']) {
    const labels = find(objs, 'Deployment', named(`-${role}`)).spec.template.metadata.labels;
    const selector = find(objs, 'NetworkPolicy', named(`-${role}`)).spec.podSelector.matchLabels;
    for (const [k, v] of Object.entries(selector)) assert.equal(labels[k], v);
  }
}

describe('Helm chart', () => {
  before(async () => {
    // A fresh machine builds Helm from the Go module proxy first: a few minutes.
    await ensureHelm((msg) => process.stdout.write(`[helm] ${msg}\n`));
  }, { timeout: 30 * 60_000 });

  test('its appVersion is the package version', async () => {
    const chart = parseYaml(await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8')) as Obj;
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    assert.equal(chart.apiVersion, 'v2');
    assert.equal(chart.appVersion, pkg.version);
  });

  test('helm lint --strict passes with the default and the production values', async () => {
    for (const args of [[], ['-f', productionValues]]) {
      const result = await runHelm(['lint', '--strict', chartDir, ...args]);
      assert.ok(result.ok, `helm lint --strict ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`);
    }
  });

  test('the default values render valid objects with the migrate hook, probes, PDBs and network policies', async () => {
    const objs = await render();
    assertValid(objs);
    assertReferencesResolve(objs, []);
    assertMigrateHook(objs);
    assertProbesAndDrain(objs);
    assertDisruptionBudgets(objs);
    assertNetworkPolicies(objs, 'ingress-nginx');
    for (const kind of ['Deployment', 'Job']) for (const w of objs.filter((o) => o.kind === kind)) assertLockedDown(w);
    // Without autoscaling the Deployments carry their replica count; no Ingress without a host.
    assert.equal(find(objs, 'Deployment', named('-api')).spec.replicas, 2);
    assert.equal(objs.filter((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'Ingress').length, 0);
    // The chart's own Secret holds generated keys the app accepts (CREDENTIALS_KEY: 32 bytes, base64).
    const secret = find(objs, 'Secret', named()).data;
    const decoded = (k: string) => Buffer.from(secret[k], 'base64').toString();
    assert.equal(Buffer.from(decoded('CREDENTIALS_KEY'), 'base64').length, 32);
    // PAYLOAD_KEYS as the app parses it: one id:key pair of 32 bytes.
    assert.deepEqual(parsePayloadKeys(decoded('PAYLOAD_KEYS')).map((k) => k.id), ['k1']);
    assert.ok(decoded('CODEC_AUTH_TOKEN').length >= 16);
    assert.ok(decoded('JWT_SECRET').length >= 32 && decoded('ADMIN_TOKEN').length >= 16 && decoded('DEMO_PAYMENT_SECRET').length >= 16);
    assert.deepEqual(find(objs, 'Secret', named('-migrate')).data, secret, "the migrate hook's copy matches the Secret the pods read");
  });

  test('production values: ingress with TLS, an existing Secret, autoscaling and a Temporal client certificate', async () => {
    const objs = await render(['-f', productionValues]);
    assertValid(objs);
    assertReferencesResolve(objs, ['autocloser-env']);
    assertMigrateHook(objs);
    assertProbesAndDrain(objs);
    assertDisruptionBudgets(objs);
    assertNetworkPolicies(objs, 'ingress-nginx');
    for (const kind of ['Deployment', 'Job']) for (const w of objs.filter((o) => o.kind === kind)) assertLockedDown(w);

    assert.equal(objs.filter((o) => o.kind === 'Secret').length, 0, 'an existing Secret replaces the chart’s');
    assert.equal(containerOf(find(objs, 'Job', named('-migrate'))).envFrom.find((e: Obj) => e.secretRef).secretRef.name, 'autocloser-env');

    for (const role of ['api', 'worker']) {
      const hpa = find(objs, 'HorizontalPodAutoscaler', named(`-${role}`));
      assert.equal(hpa.apiVersion, 'autoscaling/v2');
      assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: named(`-${role}`) });
      assert.ok(hpa.spec.minReplicas >= 2, 'two replicas survive the loss of one');
      assert.equal(hpa.spec.metrics[0].resource.name, 'cpu');
      // A replicas field would reset the autoscaler's count on every upgrade.
      assert.equal(find(objs, 'Deployment', named(`-${role}`)).spec.replicas, undefined);
    }

    const ingress = find(objs, 'Ingress', named());
    assert.equal(ingress.spec.ingressClassName, 'nginx');
    assert.deepEqual(ingress.spec.tls, [{ hosts: ['chat.example.com'], secretName: 'autocloser-tls' }]);
    assert.equal(ingress.spec.rules[0].host, 'chat.example.com');
    assert.equal(ingress.metadata.annotations['cert-manager.io/cluster-issuer'], 'letsencrypt-prod');
    // Web-chat sockets sit idle between messages far longer than ingress-nginx's 60 s default.
    for (const k of ['proxy-read-timeout', 'proxy-send-timeout']) {
      assert.ok(Number(ingress.metadata.annotations[`nginx.ingress.kubernetes.io/${k}`]) >= 3600, k);
    }
    const backend = ingress.spec.rules[0].http.paths[0].backend.service;
    const service = find(objs, 'Service', backend.name);
    assert.ok(service.spec.ports.some((p: Obj) => p.name === backend.port.name));

    const config = find(objs, 'ConfigMap', named()).data;
    for (const role of ['api', 'worker']) {
      const pod = find(objs, 'Deployment', named(`-${role}`)).spec.template.spec;
      const mount = pod.containers[0].volumeMounts.find((m: Obj) => m.name === 'temporal-tls');
      assert.equal(pod.volumes.find((v: Obj) => v.name === 'temporal-tls').secret.secretName, 'autocloser-temporal-client');
      assert.equal(config.TEMPORAL_TLS_CERT_PATH, `${mount.mountPath}/tls.crt`);
      assert.equal(config.TEMPORAL_TLS_KEY_PATH, `${mount.mountPath}/tls.key`);
    }
    assert.equal(find(objs, 'NetworkPolicy', named('-api')).spec.egress.find((r: Obj) => r.ports[0].port === 5432).to[0].ipBlock.cidr, '10.20.0.0/16');
  });

  test('the schema check rejects unknown fields, wrong types and unknown kinds', async () => {
    const objs = await render();
    const deployment = structuredClone(find(objs, 'Deployment', named('-api')));
    assert.deepEqual(manifestProblems(deployment), []);

    const misspelt = structuredClone(deployment);
    containerOf(misspelt).livenessProbes = containerOf(misspelt).livenessProbe;
    misspelt.metadata.lables = { a: 'b' };
    assert.deepEqual(manifestProblems(misspelt).sort(), [
      'metadata.lables: unknown field',
      'spec.template.spec.containers[0].livenessProbes: unknown field',
    ]);

    const wrongType = structuredClone(deployment);
    wrongType.spec.replicas = 'two';
    delete containerOf(wrongType).name;
    const problems = manifestProblems(wrongType);
    assert.ok(problems.some((p) => p.includes('/spec/replicas') && p.includes('integer')), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('/spec/template/spec/containers/0') && p.includes('name')), problems.join('\n'));

    const job = structuredClone(find(objs, 'Job', named('-migrate')));
    job.spec.template.spec.restartPolicy = 'Sometimes';
    job.spec.template.spec.containers[0].envFrom[0].configMapRef.nmae = 'x';
    const jobProblems = manifestProblems(job);
    assert.ok(jobProblems.some((p) => p.includes('restartPolicy')), jobProblems.join('\n'));
    assert.ok(jobProblems.includes('spec.template.spec.containers[0].envFrom[0].configMapRef.nmae: unknown field'), jobProblems.join('\n'));

    assert.deepEqual(manifestProblems({ apiVersion: 'apps/v1', kind: 'Deploymnet', metadata: { name: 'x' } }), ['no schema for apps/v1 Deploymnet']);
  });

  test('values.schema.json rejects bad values before anything renders', async () => {
    const templateWith = (...sets: string[]) => runHelm(['template', RELEASE, chartDir, ...sets.flatMap((s) => ['--set', s])]);
    // The control: a valid override renders, so the failures below come from the values alone.
    const control = await templateWith('api.replicas=3', 'database.url=postgres://u:p@db:5432/autocloser');
    assert.ok(control.ok, control.stderr);

    const cases: Array<{ sets: string[]; mentions: string }> = [
      { sets: ['api.replicas=0'], mentions: 'replicas' },
      { sets: ['worker.replicas=two'], mentions: 'replicas' },
      { sets: ['apiReplicas=3'], mentions: 'apiReplicas' },
      { sets: ['database.url=mysql://db/autocloser'], mentions: 'url' },
      { sets: ['secrets.credentialsKey=not-32-bytes'], mentions: 'credentialsKey' },
      { sets: ['secrets.jwtSecret=short'], mentions: 'jwtSecret' },
      { sets: ['temporal.address=no-port'], mentions: 'address' },
      { sets: ['temporal.tls.enabled=true'], mentions: 'secretName' },
      { sets: ['ingress.enabled=true', 'ingress.host=not a host'], mentions: 'host' },
      { sets: ['podSecurityContext.runAsNonRoot=false'], mentions: 'runAsNonRoot' },
      { sets: ['worker.resources.requests.memory=lots'], mentions: 'memory' },
    ];
    for (const { sets, mentions } of cases) {
      const result = await templateWith(...sets);
      assert.equal(result.ok, false, `--set ${sets.join(' ')} should be rejected`);
      assert.match(result.stderr, /values don't meet the specifications of the schema/, result.stderr);
      assert.ok(result.stderr.includes(mentions), `the error for ${sets.join(' ')} names ${mentions}:\n${result.stderr}`);
    }
  });
});
