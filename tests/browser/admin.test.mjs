// Browser test of the admin portal: the real copper binary, Debian's Chromium
// driven by playwright-core (from web/node_modules). Logs in as an admin made
// with the CLI, manages a domain, a user and an alias, then logs in as that
// user and changes the password. Screenshots and timings go to
// $COPPER_ARTIFACTS (build/test-artifacts/browser).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const require = createRequire(path.join(repo, 'web/package.json'));
const { chromium } = require('playwright-core');

const binary = process.env.COPPER_BINARY ?? path.join(repo, 'build/copper');
const webRoot = process.env.COPPER_WEB_ROOT ?? path.join(path.dirname(binary), 'web');
const artifacts = process.env.COPPER_ARTIFACTS ?? path.join(path.dirname(binary), 'test-artifacts/browser');
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const host = '127.0.0.1';
const admin = { address: 'admin@example.test', password: 'admin-password-1' };
const user = { address: 'alice@web.test', first: 'first-password-1', second: 'second-password-2' };
const timeout = 15_000;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copper-browser-'));
const configPath = path.join(dir, 'copper.toml');
let server;
let dns; // the loopback DNS server copper asks
let context;
let page;
let base;
const consoleProblems = [];
const timings = {};

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function cli(args, input) {
  const r = spawnSync(binary, ['--config', configPath, ...args], { input, encoding: 'utf8', timeout });
  assert.equal(r.status, 0, `copper ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

// Polls `f` until it returns true, at most `ms` (no sleeps as synchronisation).
async function waitFor(f, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await f()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// A DNS server on loopback that answers every question with NXDOMAIN, so the
// live DNS check runs end to end without the Internet (RFC 1035 4.1.1).
async function startEmptyDns() {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (q, peer) => {
    if (q.length < 12) return;
    const reply = Buffer.from(q);
    reply[2] = 0x80 | (q[2] & 0x01); // QR, opcode QUERY, RD copied
    reply[3] = 0x80 | 0x03; // RA, RCODE 3 = NXDOMAIN
    reply.writeUInt16BE(0, 6); // no answers,
    reply.writeUInt16BE(0, 8); // no authority,
    reply.writeUInt16BE(0, 10); // no additional (EDNS OPT dropped)
    // Keep the question only: up to the end of QNAME + QTYPE + QCLASS.
    let i = 12;
    while (i < q.length && q[i] !== 0) i += q[i] + 1;
    sock.send(reply.subarray(0, Math.min(q.length, i + 5)), peer.port, peer.address);
  });
  await new Promise((r) => sock.bind(0, host, r));
  return sock;
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, host);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function shot(name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
}

async function login(address, password) {
  await page.goto(`${base}/admin/`);
  await page.getByLabel('Address').fill(address);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function logout() {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
}

async function nav(label) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
  await page.getByRole('heading', { level: 1, name: label }).waitFor();
}

function row(name) {
  return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
}

async function startCopper() {
  assert.ok(fs.existsSync(path.join(webRoot, 'admin/index.html')), `no web build in ${webRoot}`);
  const port = await freePort();
  dns = await startEmptyDns();
  fs.writeFileSync(
    configPath,
    [
      'hostname = "mx.example.test"',
      `data_dir = ${JSON.stringify(path.join(dir, 'var'))}`,
      'log_level = "debug"',
      '[listen]',
      `https = ["${host}:${port}"]`,
      '[http]',
      `web_root = ${JSON.stringify(webRoot)}`,
      '[dns]',
      `servers = ["${host}:${dns.address().port}"]`,
      '',
    ].join('\n'),
  );
  cli(['domain', 'add', 'example.test']);
  cli(['user', 'add', admin.address, '--password-stdin', '--admin'], `${admin.password}\n`);
  const log = fs.openSync(path.join(dir, 'server.log'), 'a');
  server = spawn(binary, ['--config', configPath, 'serve'], { cwd: dir, stdio: ['ignore', log, log] });
  await waitFor(() => canConnect(port), 30_000, 'copper to listen');
  base = `https://${host}:${port}`;
}

before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  // COPPER_BROWSER_BASE: run against a server already running (with the
  // admin above), e.g. while developing the UI.
  base = process.env.COPPER_BROWSER_BASE;
  if (!base) await startCopper();
  context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(dir, 'profile-')), {
    executablePath: chromiumPath,
    headless: true,
    ignoreHTTPSErrors: true, // the server's certificate is self-signed
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
  context.setDefaultTimeout(timeout);
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) consoleProblems.push(m.text());
  });
  page.on('dialog', (d) => d.accept());
});

after(async () => {
  fs.writeFileSync(path.join(artifacts, 'timings.json'), JSON.stringify(timings, null, 2) + '\n');
  await context?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  if (process.exitCode && server) {
    process.stderr.write(fs.readFileSync(path.join(dir, 'server.log'), 'utf8').slice(-4000));
  }
  dns?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the login page paints quickly and obeys the CSP', async () => {
  const res = await page.goto(`${base}/admin/`);
  assert.equal(res.status(), 200);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  const paint = await page.evaluate(() => {
    const p = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
    return p ? p.startTime : null;
  });
  timings.first_contentful_paint_ms = paint;
  // Recorded, not gated on: timing depends on the machine's load.
  console.log(`first contentful paint: ${paint === null ? 'n/a' : paint.toFixed(0) + ' ms'}`);
  await shot('01-login');
  assert.deepEqual(consoleProblems, []);
});

test('the login form works from the keyboard, with a visible focus', async () => {
  await page.goto(`${base}/admin/`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const e = document.activeElement;
    return { label: e?.labels?.[0]?.textContent, outline: getComputedStyle(e).outlineStyle };
  });
  assert.equal(focused.label, 'Address');
  assert.notEqual(focused.outline, 'none');
  await page.keyboard.type('nobody@example.test');
  await page.keyboard.press('Tab');
  await page.keyboard.type('wrong-password');
  await page.keyboard.press('Enter');
  // A failed login is announced in an aria-live region.
  const alert = page.getByRole('alert').filter({ hasText: /\S/ });
  await alert.waitFor();
  assert.equal(await alert.getAttribute('aria-live'), 'assertive');
});

test('an admin creates a domain, a user and an alias and changes a quota', async () => {
  await login(admin.address, admin.password);
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  // The charts of the hourly history Copper keeps (GET /admin/api/stats).
  await page.getByRole('img', { name: /over 24 hours/ }).first().waitFor();
  assert.ok((await page.getByRole('img', { name: /over 24 hours/ }).count()) >= 3, 'the charts');
  await shot('02-dashboard');

  await nav('Domains');
  await page.getByRole('textbox', { name: 'New domain' }).fill('web.test');
  await page.getByRole('button', { name: 'Add domain' }).click();
  await row('web.test').waitFor();
  await shot('03-domains');

  await nav('Users');
  const form = page.getByRole('form', { name: 'New user' });
  await form.getByLabel('Address').fill(user.address);
  await form.getByLabel('Password').fill(user.first);
  await form.getByLabel('Quota').fill('1G');
  await form.getByRole('button', { name: 'Create user' }).click();
  await row(user.address).waitFor();
  assert.match(await row(user.address).innerText(), /1\.0 GiB/);

  await page.getByRole('button', { name: `Edit ${user.address}` }).click();
  const edit = page.getByRole('form', { name: `Edit ${user.address}` });
  await edit.getByLabel('Quota').fill('2G');
  await edit.getByRole('button', { name: 'Save' }).click();
  await page.getByText(`${user.address} saved.`).waitFor();
  await waitFor(async () => /2\.0 GiB/.test(await row(user.address).innerText()), timeout, 'the new quota');
  await shot('04-users');

  await nav('Aliases');
  const aliasForm = page.getByRole('form', { name: 'New alias' });
  await aliasForm.getByLabel('Alias').fill('info@web.test');
  await aliasForm.getByLabel('Targets').fill(user.address);
  await aliasForm.getByRole('button', { name: 'Save alias' }).click();
  await row('info@web.test').waitFor();
  assert.match(await row('info@web.test').innerText(), /alice@web\.test/);
  await page.getByRole('button', { name: 'Edit info@web.test' }).click();
  const aliasEdit = page.getByRole('form', { name: 'Edit info@web.test' });
  await aliasEdit.getByLabel('Targets').fill(`${user.address}\n${admin.address}`);
  await aliasEdit.getByRole('button', { name: 'Save alias' }).click();
  await waitFor(
    async () => (await row('info@web.test').innerText()).includes(admin.address),
    timeout,
    'the edited alias',
  );
  await shot('05-aliases');

  // Listed again after a reload: the data came from the server.
  await page.reload();
  await row('info@web.test').waitFor();
  assert.deepEqual(consoleProblems, []);
});

test('the DNS page and the queue render', async () => {
  await nav('Domains');
  await row('web.test').getByRole('link', { name: 'DNS records' }).click();
  await page.getByRole('heading', { level: 1, name: 'DNS records for web.test' }).waitFor();
  await page.getByRole('button', { name: 'Check the published DNS' }).click();
  // The loopback DNS server publishes nothing: every check has a verdict.
  await page.getByRole('table', { name: /Published records/ }).waitFor();
  assert.ok((await page.getByText(/missing/i).count()) > 0, 'the check reports missing records');
  await shot('06-dns');
  await nav('Queue');
  await shot('07-queue');
});

test('a phone-sized screen needs no horizontal scrolling', async () => {
  await page.setViewportSize({ width: 375, height: 740 });
  for (const [label, name] of [
    ['Dashboard', '08-phone-dashboard'],
    ['Users', '09-phone-users'],
  ]) {
    await nav(label);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await shot(name);
    assert.ok(overflow <= 0, `${label}: the page is ${overflow}px wider than the screen`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await logout();
});

test('the user changes the password and logs in with the new one', async () => {
  await login(user.address, user.first);
  await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
  await page.getByLabel('Current password').fill(user.first);
  await page.getByLabel('New password', { exact: true }).fill(user.second);
  await page.getByLabel('Repeat the new password').fill(user.second);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Your password has been changed.').waitFor();
  await shot('10-account');

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Download profile' }).click();
  assert.equal((await download).suggestedFilename(), 'copper.mobileconfig');
  await logout();

  await login(user.address, user.first);
  await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
  await shot('11-old-password-refused');
  await login(user.address, user.second);
  await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
  // A user sees only the self-service page.
  assert.equal(await page.getByRole('link', { name: 'Users' }).count(), 0);
  assert.deepEqual(consoleProblems, []);
});
