/**
 * Dashboards and alert rules as shipped: the Helm chart's copies match
 * deploy/monitoring/ (which compose mounts and promtool tests), and with
 * `monitoring.*` on the chart renders the dashboards ConfigMap, ServiceMonitors
 * that send the token the pods check, and the rules as a PrometheusRule.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { repoRoot } from '../config/env';
import { ensureHelm, runHelm } from '../tools/helm';
import { manifestName, manifestProblems } from './support/kubernetes-schema';

const chartDir = path.join(repoRoot, 'deploy', 'helm', 'autocloser');
const monitoring = path.join(repoRoot, 'deploy', 'monitoring');
const chartCopy = path.join(chartDir, 'files', 'monitoring');
const RELEASE = 'ac';
const named = (suffix = '') => `${RELEASE}-autocloser${suffix}`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = Record<string, any>;

async function render(args: string[] = []): Promise<Obj[]> {
  const result = await runHelm(['template', RELEASE, chartDir, '--namespace', 'autocloser', ...args]);
  assert.ok(result.ok, result.stderr);
  return parseAllDocuments(result.stdout)
    .map((d) => d.toJS() as Obj)
    .filter(Boolean);
}
const find = (objs: Obj[], kind: string, name: string): Obj => {
  const found = objs.find((o) => o.kind === kind && o.metadata?.name === name);
  assert.ok(found, `no ${kind}/${name} among ${objs.map(manifestName).join(', ')}`);
  return found;
};
const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

const MONITORING_ON = ['--set', 'monitoring.dashboards.enabled=true', '--set', 'monitoring.serviceMonitor.enabled=true', '--set', 'monitoring.prometheusRule.enabled=true'];

describe('dashboards and alert rules, as deployed', () => {
  before(async () => {
    await ensureHelm((msg) => process.stdout.write(`[helm] ${msg}\n`));
  }, { timeout: 30 * 60_000 });

  test("the chart's copies are deploy/monitoring's files, byte for byte", () => {
    assert.equal(readFileSync(path.join(chartCopy, 'alerts.yml'), 'utf8'), readFileSync(path.join(monitoring, 'alerts.yml'), 'utf8'), 'cp deploy/monitoring/alerts.yml deploy/helm/autocloser/files/monitoring/');
    const dashboards = readdirSync(path.join(monitoring, 'dashboards')).sort();
    assert.deepEqual(readdirSync(path.join(chartCopy, 'dashboards')).sort(), dashboards);
    for (const f of dashboards) {
      assert.equal(readFileSync(path.join(chartCopy, 'dashboards', f), 'utf8'), readFileSync(path.join(monitoring, 'dashboards', f), 'utf8'), `cp deploy/monitoring/dashboards/${f} into the chart`);
    }
  });

  test('the dashboards are Grafana dashboards with unique ids and a Prometheus data source variable', () => {
    const uids = new Set<string>();
    for (const f of readdirSync(path.join(monitoring, 'dashboards'))) {
      const d = JSON.parse(readFileSync(path.join(monitoring, 'dashboards', f), 'utf8')) as Obj;
      assert.ok(d.uid && !uids.has(d.uid), `${f}: a unique uid`);
      uids.add(d.uid);
      assert.ok(d.templating.list.some((v: Obj) => v.type === 'datasource' && v.query === 'prometheus'), `${f}: a data source variable`);
      const panelIds = d.panels.map((p: Obj) => p.id);
      assert.equal(new Set(panelIds).size, panelIds.length, `${f}: unique panel ids`);
      for (const p of d.panels.filter((x: Obj) => x.type !== 'row')) assert.ok(p.targets.length > 0 && p.gridPos.w > 0, `${f}: ${p.title}`);
    }
    assert.deepEqual([...uids].sort(), ['autocloser-operations', 'autocloser-sales']);
  });

  test('by default: no monitoring objects, but the workers serve metrics and the Secret holds the token', async () => {
    const objs = await render();
    assert.equal(objs.filter((o) => ['ServiceMonitor', 'PrometheusRule'].includes(o.kind) || o.metadata.name === named('-dashboards')).length, 0);
    const config = find(objs, 'ConfigMap', named()).data;
    const worker = find(objs, 'Deployment', named('-worker')).spec.template.spec.containers[0];
    assert.equal(String(worker.ports.find((p: Obj) => p.name === 'metrics').containerPort), config.WORKER_METRICS_PORT);
    const token = Buffer.from(find(objs, 'Secret', named()).data.METRICS_TOKEN, 'base64').toString();
    assert.ok(token.length >= 16, 'a generated METRICS_TOKEN');
    // Nothing may connect to a worker unless scrapers are named.
    assert.deepEqual(find(objs, 'NetworkPolicy', named('-worker')).spec.ingress, []);
  });

  test('with monitoring on: dashboards ConfigMap, ServiceMonitors with the token, the rules as a PrometheusRule', async () => {
    const objs = await render([...MONITORING_ON, '--set', 'networkPolicy.metricsScrapersFrom[0].namespaceSelector.matchLabels.name=monitoring']);
    const problems = objs.filter((o) => !['ServiceMonitor', 'PrometheusRule'].includes(o.kind)).flatMap((o) => manifestProblems(o).map((p) => `${manifestName(o)}: ${p}`));
    assert.deepEqual(problems, []);

    const cm = find(objs, 'ConfigMap', named('-dashboards'));
    assert.equal(cm.metadata.labels.grafana_dashboard, '1');
    for (const f of readdirSync(path.join(monitoring, 'dashboards'))) {
      assert.deepEqual(JSON.parse(cm.data[`autocloser-${f}`]), JSON.parse(readFileSync(path.join(monitoring, 'dashboards', f), 'utf8')));
    }

    const rule = find(objs, 'PrometheusRule', named());
    assert.equal(rule.apiVersion, 'monitoring.coreos.com/v1');
    assert.deepEqual(rule.spec, parseYaml(readFileSync(path.join(monitoring, 'alerts.yml'), 'utf8')));

    const services = objs.filter((o) => o.kind === 'Service');
    for (const role of ['api', 'worker']) {
      const sm = find(objs, 'ServiceMonitor', named(`-${role}`));
      const targets = services.filter((s) => selects(sm.spec.selector.matchLabels, s.metadata.labels));
      assert.equal(targets.length, 1, `${role}: one Service selected, got ${targets.map(manifestName).join(', ')}`);
      const service = targets[0]!;
      const endpoint = sm.spec.endpoints[0];
      const servicePort = service.spec.ports.find((p: Obj) => p.name === endpoint.port);
      assert.ok(servicePort, `${role}: the Service has port ${endpoint.port}`);
      const pods = find(objs, 'Deployment', named(`-${role}`)).spec.template;
      assert.ok(selects(service.spec.selector, pods.metadata.labels), `${role}: the Service selects the ${role} pods`);
      assert.ok(pods.spec.containers[0].ports.some((p: Obj) => p.name === servicePort.targetPort), `${role}: the target port is a container port`);
      // The token Prometheus sends is the one the pods read from their Secret.
      assert.deepEqual(endpoint.authorization, { type: 'Bearer', credentials: { name: named(), key: 'METRICS_TOKEN' } });
      assert.ok(pods.spec.containers[0].envFrom.some((e: Obj) => e.secretRef?.name === named()));
      assert.deepEqual(endpoint.relabelings, [{ targetLabel: 'job', replacement: `autocloser-${role}` }]);
    }
    // The named scrapers may reach the workers' metrics port.
    const workerPolicy = find(objs, 'NetworkPolicy', named('-worker'));
    assert.deepEqual(workerPolicy.spec.ingress, [{ from: [{ namespaceSelector: { matchLabels: { name: 'monitoring' } } }], ports: [{ protocol: 'TCP', port: 'metrics' }] }]);
  });

  test('compose provisions the same files: the rules Prometheus loads and the dashboards Grafana shows', () => {
    const compose = readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8');
    assert.match(compose, /\.\/deploy\/monitoring\/alerts\.yml:\/etc\/prometheus\/alerts\.yml:ro/);
    assert.match(compose, /\.\/deploy\/monitoring\/dashboards:\/var\/lib\/grafana\/dashboards\/autocloser:ro/);
    const prometheus = parseYaml(readFileSync(path.join(repoRoot, 'deploy', 'compose', 'prometheus.yml'), 'utf8')) as Obj;
    assert.deepEqual(prometheus.rule_files, ['/etc/prometheus/alerts.yml']);
    assert.deepEqual(prometheus.scrape_configs.map((s: Obj) => s.job_name).sort(), ['autocloser-api', 'autocloser-worker', 'prometheus']);
    const worker = prometheus.scrape_configs.find((s: Obj) => s.job_name === 'autocloser-worker');
    assert.match(compose, new RegExp(`WORKER_METRICS_PORT: '${worker.dns_sd_configs[0].port}'`));
    const provider = parseYaml(readFileSync(path.join(repoRoot, 'deploy', 'compose', 'grafana', 'dashboards.yml'), 'utf8')) as Obj;
    assert.equal(provider.providers[0].options.path, '/var/lib/grafana/dashboards/autocloser');
  });
});
