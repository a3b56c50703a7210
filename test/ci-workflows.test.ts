/**
 * The GitHub Actions workflows and Fastlane lanes only run on GitHub's runners
 * (Android SDK, Xcode, store credentials), so they are checked here instead:
 * actionlint (with ShellCheck on every `run:` script) on each workflow, every
 * secret and variable they read documented (the app stores' in mobile/README.md,
 * the deployment's in docs/operations.md), every lane and npm script they call
 * defined. The probes with broken input prove each check
 * can fail.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { repoRoot } from '../config/env';
import { runActionlint } from '../tools/actionlint';
import { loadPrism } from '@ruby/prism';

const workflowsDir = path.join(repoRoot, '.github', 'workflows');
const fastfilePath = path.join(repoRoot, 'mobile', 'fastlane', 'Fastfile');
const mobileReadme = path.join(repoRoot, 'mobile', 'README.md');
const operationsDoc = path.join(repoRoot, 'docs', 'operations.md');

/** Provided by GitHub to every run; nothing to configure. */
const AUTOMATIC_SECRETS = new Set(['GITHUB_TOKEN']);

/** `secrets.X` and `vars.X` read inside `${{ … }}` expressions. */
function settingsUsed(workflow: string): { secrets: Set<string>; vars: Set<string> } {
  const secrets = new Set<string>();
  const vars = new Set<string>();
  for (const [, expr] of workflow.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) {
    for (const [, kind, name] of expr!.matchAll(/\b(secrets|vars)\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
      if (kind === 'secrets' && !AUTOMATIC_SECRETS.has(name!)) secrets.add(name!);
      if (kind === 'vars') vars.add(name!);
    }
  }
  return { secrets, vars };
}

/** Names a document mentions as code (`NAME`), which is how mobile/README.md and docs/operations.md list them. */
function documentedNames(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)`/g)].map((m) => m[1]!));
}

/**
 * `platform lane` pairs a Fastfile defines. A line-based reading rather than a
 * Ruby parser: `platform :x do` opens a block that the next `end` in column 0
 * closes, and `lane :y do` inside it defines `x y` (outside any platform, `y`).
 */
function fastfileLanes(fastfile: string): Set<string> {
  const lanes = new Set<string>();
  let platform: string | null = null;
  for (const line of fastfile.split('\n')) {
    const opens = /^platform\s+:(\w+)\s+do\b/.exec(line);
    if (opens) platform = opens[1]!;
    else if (/^end\b/.test(line)) platform = null;
    const lane = /^\s*lane\s+:(\w+)\s+do\b/.exec(line);
    if (lane) lanes.add(platform ? `${platform} ${lane[1]}` : lane[1]!);
  }
  return lanes;
}

/** `fastlane <platform> <lane>` invocations in a workflow's scripts. */
function lanesCalled(workflow: string): Set<string> {
  return new Set([...workflow.matchAll(/\bfastlane\s+(android|ios)\s+(\w+)/g)].map((m) => `${m[1]} ${m[2]}`));
}

/**
 * `uses:` lines not pinned to a full commit SHA with its version beside it
 * (`@<40 hex> # v1.2.3`): a tag can be moved to other code, a commit cannot.
 * Local reusable workflows (`./…`) are part of this repository.
 */
function unpinnedActions(workflow: string): string[] {
  return [...workflow.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)(.*)$/gm)]
    .filter(([, ref, rest]) => !ref!.startsWith('./') && !(/@[0-9a-f]{40}$/.test(ref!) && /#\s*v\d+\.\d+\.\d+/.test(rest!)))
    .map(([line]) => line!.trim());
}

function npmScriptsCalled(workflow: string): Set<string> {
  return new Set([...workflow.matchAll(/\bnpm run ([\w:.-]+)/g)].map((m) => m[1]!));
}

const workflowFiles = async () => (await readdir(workflowsDir)).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(workflowsDir, f));

describe('GitHub Actions workflows', () => {
  let files: string[];
  let texts: Map<string, string>;
  before(async () => {
    files = await workflowFiles();
    texts = new Map(await Promise.all(files.map(async (f) => [path.basename(f), await readFile(f, 'utf8')] as const)));
  });

  test('there are the CI, release, image and deploy workflows', () => {
    for (const name of ['ci.yml', 'mobile-release.yml', 'image.yml', 'deploy.yml']) assert.ok(texts.has(name), name);
  });

  test('every action is pinned to a full commit, its version in a comment', () => {
    assert.deepEqual([...texts].flatMap(([file, text]) => unpinnedActions(text).map((line) => `${file}: ${line}`)), []);
  });

  test('deploying waits for the production environment, and only image publishing may write packages', () => {
    const deploy = texts.get('deploy.yml')!;
    assert.match(deploy, /^\s+environment:\s*\n\s+name: production$/m, 'the deploy job runs in the production environment (its required reviewers approve)');
    assert.match(deploy, /helm upgrade --install/);
    for (const [file, text] of texts) {
      const writers = [...text.matchAll(/^\s+packages: write$/gm)].length;
      if (file !== 'image.yml') assert.equal(writers, 0, `${file} needs no packages: write`);
    }
  });

  test('actionlint finds nothing in any workflow', async () => {
    const result = await runActionlint(files, { cwd: repoRoot });
    assert.ok(result.ok, `actionlint:\n${result.output}`);
  });

  test('every secret and variable they read is documented in mobile/README.md or docs/operations.md', async () => {
    const documented = new Set([...documentedNames(await readFile(mobileReadme, 'utf8')), ...documentedNames(await readFile(operationsDoc, 'utf8'))]);
    const missing: string[] = [];
    for (const [file, text] of texts) {
      const { secrets, vars } = settingsUsed(text);
      for (const name of secrets) if (!documented.has(name)) missing.push(`${file}: secrets.${name}`);
      for (const name of vars) if (!documented.has(name)) missing.push(`${file}: vars.${name}`);
    }
    assert.deepEqual(missing, [], 'list each as `NAME` with what it is: the app stores\' in mobile/README.md, the deployment\'s in docs/operations.md');
  });

  test('every Fastlane lane they call is defined in mobile/fastlane/Fastfile', async () => {
    const defined = fastfileLanes(await readFile(fastfilePath, 'utf8'));
    const called = [...texts.values()].flatMap((t) => [...lanesCalled(t)]);
    assert.ok(called.length >= 4, `expected the four store lanes to be called, found ${called.join(', ')}`);
    assert.deepEqual(called.filter((lane) => !defined.has(lane)), [], `the Fastfile defines ${[...defined].join(', ')}`);
  });

  test('every npm script they run exists in package.json', async () => {
    const { scripts } = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const missing = [...texts].flatMap(([file, text]) => [...npmScriptsCalled(text)].filter((s) => !(s in scripts)).map((s) => `${file}: npm run ${s}`));
    assert.deepEqual(missing, []);
  });

  test('the Fastfile, Appfile and Gemfile are valid Ruby', async () => {
    for (const file of ['mobile/fastlane/Fastfile', 'mobile/fastlane/Appfile', 'mobile/Gemfile']) {
      assert.deepEqual(await rubySyntaxErrors(path.join(repoRoot, file)), [], file);
    }
  });
});

/**
 * Ruby's own parser (Prism, as WebAssembly), so the lane files are checked on
 * machines without Ruby; fastlane itself only runs where the stores are reached.
 */
async function rubySyntaxErrors(file: string): Promise<string[]> {
  const parse = await loadPrism();
  const source = await readFile(file, 'utf8');
  const lineOf = (offset: number) => source.slice(0, offset).split('\n').length;
  return parse(source).errors.map((e) => `line ${lineOf(e.location.startOffset)}: ${e.message}`);
}

describe('the checks catch broken input', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ci-workflows-'));
    await mkdir(path.join(dir, '.github', 'workflows'), { recursive: true });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('actionlint reports a broken workflow', async () => {
    const broken = path.join(dir, '.github', 'workflows', 'broken.yml');
    await writeFile(
      broken,
      [
        'on: push',
        'jobs:',
        '  build:',
        '    runs-on: ubuntu-24.04',
        '    needs: [missing-job]',
        '    steps:',
        '      - run: echo ${{ github.event.pull_request.title }',
        '      - run: cd $HOME/some dir',
        '',
      ].join('\n'),
    );
    const result = await runActionlint([broken], { cwd: dir });
    assert.equal(result.ok, false);
    assert.match(result.output, /broken\.yml:\d+:\d+: .*missing-job/, result.output);
    assert.match(result.output, /\[expression\]/, result.output);
    // ShellCheck runs on the scripts: the unquoted expansion is SC2086.
    assert.match(result.output, /SC2086/, result.output);
  });

  test('an action on a tag, a short commit or without its version is found', () => {
    const workflow = [
      'steps:',
      '  - uses: actions/checkout@v7',
      '  - uses: actions/checkout@3d3c42e # v7.0.1',
      '  - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1',
      '  - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1',
      '  deploy:',
      '    uses: ./.github/workflows/deploy.yml',
    ].join('\n');
    assert.deepEqual(unpinnedActions(workflow), [
      '- uses: actions/checkout@v7',
      '- uses: actions/checkout@3d3c42e # v7.0.1',
      '- uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1',
    ]);
  });

  test('a Ruby syntax error in a lane file is found', async () => {
    const broken = path.join(dir, 'Fastfile');
    await writeFile(broken, ['platform :ios do', '  lane :beta do', '    build_app(scheme: "App"', '  end', 'end', ''].join('\n'));
    const errors = await rubySyntaxErrors(broken);
    assert.ok(errors.some((e) => /line 4/.test(e)), errors.join('\n'));
  });

  test('an undocumented secret or variable, a missing lane and a missing script are found', () => {
    const workflow = [
      'env:',
      '  A: ${{ secrets.DOCUMENTED }}',
      "  B: ${{ github.event_name == 'push' && secrets.NOT_DOCUMENTED || vars.SOME_VAR }}",
      '  C: ${{ secrets.GITHUB_TOKEN }}',
      'run: bundle exec fastlane ios beta && bundle exec fastlane android nope && npm run mobile:sync',
    ].join('\n');
    assert.deepEqual(settingsUsed(workflow), { secrets: new Set(['DOCUMENTED', 'NOT_DOCUMENTED']), vars: new Set(['SOME_VAR']) });
    assert.deepEqual(documentedNames('- `DOCUMENTED`: the key. NOT_DOCUMENTED is prose.'), new Set(['DOCUMENTED']));
    const fastfile = ['lane :top do', 'end', 'platform :ios do', '  lane :beta do', '  end', 'end', 'platform :android do', '  lane :internal do', '  end', 'end'].join('\n');
    assert.deepEqual(fastfileLanes(fastfile), new Set(['top', 'ios beta', 'android internal']));
    assert.deepEqual(lanesCalled(workflow), new Set(['ios beta', 'android nope']));
    assert.deepEqual(npmScriptsCalled(workflow), new Set(['mobile:sync']));
  });
});
