// Takes docs/images/aspire-dashboard-trace.png: the Quickstart's training run as one trace in the Aspire dashboard.
// Starts the dashboard program from its NuGet package on free 127.0.0.1 ports, runs the built Quickstart with
// OTEL_EXPORTER_OTLP_ENDPOINT pointing at it, opens the run's trace in Debian's headless chromium, and stops
// the dashboard by its process id whatever happens. From the repository root:
//
//   apt-get install -y chromium
//   dotnet build tests/MlopsGateway.Dashboard.Tests      # builds the Quickstart, downloads the dashboard package
//   npm ci --prefix tests/dashboard-screenshot --no-audit --no-fund
//   node tests/dashboard-screenshot/capture.mjs
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const packages = process.env.NUGET_PACKAGES ?? path.join(os.homedir(), '.nuget', 'packages');
const dashboardProgram = path.join(packages, 'aspire.dashboard.sdk.linux-x64', '13.6.5', 'tools', 'Aspire.Dashboard');
const quickstart = path.join(repo, 'samples', 'Quickstart', 'bin', 'Debug', 'net10.0', 'Quickstart.dll');
const output = path.join(repo, 'docs', 'images', 'aspire-dashboard-trace.png');

const freePort = () => new Promise((resolve, reject) => {
  const server = net.createServer();
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function poll(what, read, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await read();
      if (value) return value;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`Not in time: ${what}`);
    await delay(200);
  }
}

function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let printed = '';
    child.stdout.on('data', (d) => { printed += d; });
    child.stderr.on('data', (d) => { printed += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(printed) : reject(new Error(`${args.join(' ')} exited with ${code}:\n${printed}`))));
  });
}

for (const required of [dashboardProgram, quickstart]) {
  if (!fs.existsSync(required)) throw new Error(`Missing ${required}: build tests/MlopsGateway.Dashboard.Tests first.`);
}

const [frontendPort, otlpPort] = [await freePort(), await freePort()];
const frontend = `http://127.0.0.1:${frontendPort}`;
const dashboard = spawn(dashboardProgram, [], {
  cwd: path.dirname(dashboardProgram),
  stdio: 'ignore',
  env: {
    ...process.env,
    ASPNETCORE_URLS: frontend,
    ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL: `http://127.0.0.1:${otlpPort}`,
    ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS: 'true',
  },
});
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-screenshot-'));
let browser;
try {
  await poll('the dashboard answers', async () => (await fetch(`${frontend}/api/telemetry/resources`)).ok);
  await run('dotnet', [quickstart], { cwd: work, env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}` } });
  const traceId = await poll('the training run arrives', async () => {
    const answer = await (await fetch(`${frontend}/api/telemetry/traces?resource=mlops-quickstart`)).json();
    const spans = answer.data.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    return spans.find((s) => s.name === 'Runs.Run')?.traceId;
  });

  browser = await puppeteer.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1440, height: 900 });
  await page.goto(`${frontend}/traces/detail/${traceId}`, { waitUntil: 'networkidle2' });
  // A Blazor Server page renders over its circuit after the document loads.
  await page.waitForFunction(() => document.body.innerText.includes('Runs.End'), { timeout: 30_000 });
  await delay(3_000);
  // Dismiss the "unsecured" notice (the dashboard runs with anonymous access here) and open the run span's details.
  const dismiss = await page.$('.dashboard-message-bar-dismiss');
  await dismiss?.click();
  const [runRow] = await page.$$('xpath/.//*[normalize-space(text())="Runs.Run"]');
  await runRow?.click();
  await delay(2_000);
  fs.mkdirSync(path.dirname(output), { recursive: true });
  await page.screenshot({ path: output });
  console.log(`Wrote ${path.relative(repo, output)} (trace ${traceId}).`);
} finally {
  await browser?.close();
  dashboard.kill();
  fs.rmSync(work, { recursive: true, force: true });
}
