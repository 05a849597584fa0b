/**
 * examples/worker and examples/browser run as their comments say: the Worker in workerd, the
 * page in headless Chromium (driven by Playwright), each sending OTLP to a loopback collector.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUT, ROOT, buildGuests, bundle } from './prepare.ts';
import { Receiver } from './receiver.ts';
import { Workerd } from './workerd.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium-headless-shell';

async function until<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let receiver: Receiver;
beforeAll(async () => {
  await buildGuests();
  receiver = await new Receiver().start();
});
afterAll(() => receiver?.stop());

describe('examples/worker', () => {
  let workerd: Workerd;
  beforeAll(async () => {
    workerd = await new Workerd().start('example-worker', 'examples/worker/worker.ts', { 'example.wasm': 'build/assemblyscript/example.wasm' }, { OTLP_ENDPOINT: receiver.url });
  });
  afterAll(() => workerd?.stop());

  it('runs the guest per request inside the trace its caller named', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const response = await fetch(`${workerd.url}/echo`, { method: 'POST', body: 'hello there', headers: { traceparent } });
    expect(response.status, workerd.output).toBe(200);
    expect(await response.text()).toBe('200 2 words\n');
    const request = await until('the request span', () => receiver.decoded().spans.find((s) => s.name === 'request'));
    expect(request).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', service: 'worker-example' });
    const batch = receiver.decoded().spans.find((s) => s.name === 'batch');
    expect(batch).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7' });
    expect(request.parentSpanId).toBe(batch?.spanId);
    await until('the request log', () => receiver.decoded().logs.find((l) => l.body === 'POST /echo -> 200'));
  });
});

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('examples/browser', () => {
  it('shows the guest trace tree and output on the page and sends OTLP', async () => {
    const page = join(OUT, 'example-page');
    await mkdir(page, { recursive: true });
    await bundle('examples/browser/main.ts', 'example-page/main.js');
    await copyFile(join(ROOT, 'examples/browser/index.html'), join(page, 'index.html'));
    await copyFile(join(OUT, 'example.wasm'), join(page, 'example.wasm'));

    const browser = await chromium.launch({ executablePath: CHROMIUM });
    try {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on('pageerror', (e) => errors.push(String(e)));
      await tab.goto(`${receiver.url}/example-page/index.html?collector=${encodeURIComponent(receiver.url)}`);
      await tab.waitForSelector('body[data-status]');
      expect(errors).toEqual([]);
      expect(await tab.getAttribute('body', 'data-status')).toBe('done');
      const tree = await tab.textContent('#tree');
      expect(tree).toMatch(/└─ batch[^\n]*\n[^\n]*METRIC batch.size g 5/);
      expect(tree).toContain('GET /health -> 200');
      expect(await tab.textContent('#output')).toContain('200 ok\n');
    } finally {
      await browser.close();
    }
    await until('the page spans', () => receiver.decoded().spans.find((s) => s.service === 'browser-example' && s.name === 'batch'));
  });
});
