// The ops console's first view in Debian's Chromium (playwright-core, no browser download) against audit-projector as a
// real process, a tenant seeded through Kafka with open exceptions and audit rows: sign-in -> Overview rendered with
// its data, a signed-in reload of the Overview, and the Exceptions list of the seeded open exceptions. Each run is a
// fresh browser context (empty cache: a first view). Ceiling: the same browser loading a static HTML page of the
// same size (the rendered view's own markup) from a bare node:http server.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AvroCodec, type TopicRecords } from '@mlc/contracts';
import { EventPublisher, newMeta } from '@mlc/platform-kafka';
import { compareRow, note, openWorld, percentile, scaled, TENANT, type Row } from './bench-kit';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const KEY = 'bench-console-key';
/** Issue #20: the first view in under a second locally. */
const BOUND_MS = 1_000;
const CODES = ['MAPPING.MISSING_PRODUCT', 'MAPPING.MISSING_FC', 'SHIPBOB.REJECTED', 'FUSION.VALIDATION'];

export interface ConsoleBenchResult {
  rows: Row[];
}

function exception(i: number, payload: Buffer): TopicRecords['ops.exception.raised.v1'] {
  const code = CODES[i % CODES.length]!;
  return {
    meta: newMeta({ tenantId: TENANT, source: 'bench' }),
    service: code.startsWith('SHIPBOB') ? 'shipbob-writer' : 'mapper',
    code,
    category: code.startsWith('MAPPING') ? 'mapping' : 'partner-rejected',
    message: `bench exception ${i}: ${code}`,
    attempts: 1,
    sourceTopic: 'erp.purchase-order.changed.v1',
    sourcePartition: 0,
    sourceOffset: String(i),
    sourceKey: `${TENANT}:${10_000 + i}`,
    sourceEventId: newMeta({ tenantId: TENANT, source: 'bench' }).eventId,
    entityType: 'purchase-order-line',
    businessId: `po${10_000 + i}-l1-r0`,
    details: JSON.stringify({ missing: `item-product:ITEM-${i % 50}` }),
    payload,
  } as TopicRecords['ops.exception.raised.v1'];
}

function purchaseOrder(i: number): TopicRecords['erp.purchase-order.changed.v1'] {
  return {
    meta: newMeta({ tenantId: TENANT, source: 'bench' }),
    poHeaderId: String(20_000 + i),
    orderNumber: String(30_000 + i),
    status: 'Open',
    lastUpdateDate: new Date(Date.now() - i * 60_000).toISOString().replace('Z', '+00:00'),
    currencyCode: 'USD',
    procurementBusinessUnit: 'Vision Operations',
    supplier: 'Acme Supply',
    supplierSite: 'ACME-MAIN',
    supplierId: '1252',
    supplierNumber: null,
    shipToLocationId: '204',
    shipToLocationCode: 'Seattle',
    shipTo: {
      locationCode: 'Seattle',
      name: 'Seattle DC',
      address1: '1 Dock Road',
      address2: null,
      city: 'Seattle',
      state: 'WA',
      postalCode: '98101',
      country: 'US',
      addressText: null,
    },
    lines: [
      {
        poLineId: String(i),
        lineNumber: '1',
        itemNumber: 'AS1',
        description: null,
        quantity: '5',
        uom: 'Each',
        status: 'Open',
        shipToLocationCode: 'Seattle',
        lineLastUpdateDate: null,
      },
    ],
    raw: '{}',
  } as unknown as TopicRecords['erp.purchase-order.changed.v1'];
}

/** A bare node:http server answering every request with one static page. */
async function staticServer(): Promise<{ url: string; set(body: string): void; close(): Promise<void> }> {
  let page = '';
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(page);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    set: (body) => (page = body),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The rendered view as a static page of the same size: its markup without the scripts, padded to the same byte count. */
async function staticCopy(page: Page): Promise<string> {
  const html = await page.content();
  const stripped = html.replace(/<script\b[\s\S]*?<\/script>/gi, '').replace(/<link\b[^>]*>/gi, '');
  const missing = Buffer.byteLength(html) - Buffer.byteLength(stripped);
  return missing > 8 ? stripped.replace('</body>', `<!--${'.'.repeat(missing - 7)}--></body>`) : stripped;
}

export async function consoleBench(): Promise<ConsoleBenchResult> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install chromium, or set CHROMIUM_PATH)`);
  const n = scaled(1_000);
  const runs = Math.max(3, Number(process.env['BENCH_CONSOLE_RUNS'] ?? 7));
  const world = await openWorld('console');
  const codec = new AvroCodec();
  const publisher = new EventPublisher(world.kafka, codec, world.suffix);
  let browser: Browser | undefined;
  const bare = await staticServer();
  try {
    await publisher.connect();
    const [projector, b] = await Promise.all([
      world.start('audit-projector', {
        MLC_OPERATOR_API_KEYS: `${KEY}:${TENANT}`,
        OPS_LAG_GROUPS: `none${world.suffix}`,
        // No oracle-poller in this world: the feeds card shows that it does not answer (a refused connection, at once).
        OPS_ORACLE_POLLER_URL: 'http://127.0.0.1:9',
      }),
      chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
    ]);
    browser = b;
    const seeded = Date.now();
    const payload = codec.encodeFor('erp.purchase-order.changed.v1', purchaseOrder(0));
    const pos = Math.max(1, Math.round(n / 5));
    for (let i = 0; i < n; i += 200)
      await publisher.publishMany(
        Array.from({ length: Math.min(200, n - i) }, (_, k) => ({
          topic: 'ops.exception.raised.v1' as const,
          key: `${TENANT}:${i + k}`,
          value: exception(i + k, payload),
        })),
      );
    await publisher.publishMany(
      Array.from({ length: pos }, (_, i) => ({ topic: 'erp.purchase-order.changed.v1' as const, key: `${TENANT}:${20_000 + i}`, value: purchaseOrder(i) })),
    );
    const opsGet = async (path: string) =>
      (await (await fetch(`${projector.url}${path}`, { headers: { 'x-api-key': KEY } })).json()) as { exceptions?: unknown[]; entries?: unknown[] };
    const deadline = Date.now() + 120_000;
    for (;;) {
      const open = (await opsGet(`/ops/exceptions?tenant=${TENANT}&status=open&limit=10000`)).exceptions?.length ?? 0;
      const audited = (await opsGet(`/ops/audit?tenant=${TENANT}&topic=erp.purchase-order.changed.v1&limit=1000`)).entries?.length ?? 0;
      if (open >= n && audited >= pos) break;
      if (Date.now() > deadline) throw new Error(`seeding: ${open}/${n} exceptions and ${audited}/${pos} audit rows projected after 120 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    note(`console: ${n} open exceptions and ${pos} POs projected in ${Date.now() - seeded} ms; ${runs} runs per figure (+1 warm-up), fresh context each`);

    const base = `${projector.url}/console`;
    // Run in the page (this project's TypeScript has no DOM library): the part of the DOM the two checks below use.
    type El = { textContent: string | null; querySelector(s: string): El | null; querySelectorAll(s: string): ArrayLike<El> & Iterable<El> };
    /** The Overview with its data: open exceptions counted by code, flows, the feeds card and the per-day chart. */
    const overviewReady = (page: Page) =>
      page.waitForFunction(
        (total) => {
          const document = (globalThis as unknown as { document: El }).document;
          const cards = [...document.querySelectorAll('.card')];
          const open = cards.find((c) => c.querySelector('h2')?.textContent === 'Open exceptions');
          const counted = [...(open?.querySelectorAll('li strong') ?? [])].reduce((s, e) => s + Number(e.textContent), 0);
          const feeds = cards.find((c) => c.querySelector('h2')?.textContent?.startsWith('Fusion feeds'));
          const chart = document.querySelector('figure.chart svg, figure.chart p.muted');
          return counted === total && !!feeds?.querySelector('table tbody tr, [role=status]') && !!chart;
        },
        n,
        { polling: 'raf', timeout: 30_000 },
      );
    const exceptionsReady = (page: Page) =>
      page.waitForFunction(
        () => {
          const document = (globalThis as unknown as { document: El }).document;
          return document.querySelectorAll('table.grid tbody tr').length > 0 && !document.querySelector('main .loading');
        },
        undefined,
        {
          polling: 'raf',
          timeout: 30_000,
        },
      );

    const signInMs: number[] = [];
    const reloadMs: number[] = [];
    const listMs: number[] = [];
    let overviewHtml = '';
    let listHtml = '';
    let listed = 0;
    const calls = { overview: 0, list: 0 };
    for (let run = 0; run <= runs; run++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      let apiCalls = 0;
      page.on('request', (r) => void (r.url().includes('/console/api/ops/') && apiCalls++));
      await page.goto(`${base}#/overview`);
      await page.getByLabel('Operator API key').fill(KEY);
      let t0 = Date.now();
      await page.getByRole('button', { name: 'Sign in' }).click();
      await overviewReady(page);
      if (run) signInMs.push(Date.now() - t0);
      /** Signed in: opens a view as a page load (not a hash change in the same document); its time and API calls. */
      const load = async (route: string, ready: (p: Page) => Promise<unknown>, into: number[]): Promise<number> => {
        await page.goto('about:blank');
        apiCalls = 0;
        t0 = Date.now();
        await page.goto(`${base}#/${route}`);
        await ready(page);
        if (run) into.push(Date.now() - t0);
        return apiCalls;
      };
      calls.overview = await load('overview', overviewReady, reloadMs);
      overviewHtml = await staticCopy(page);
      calls.list = await load('exceptions', exceptionsReady, listMs);
      listed = await page.locator('table.grid tbody tr').count();
      listHtml = await staticCopy(page);
      await context.close();
    }

    /** The same browser, a fresh context, the static page of the same size from the bare server: goto -> load. */
    const ceiling = async (body: string): Promise<number> => {
      bare.set(body);
      const samples: number[] = [];
      for (let run = 0; run <= runs; run++) {
        const context = await browser!.newContext();
        const page = await context.newPage();
        const t0 = Date.now();
        await page.goto(bare.url, { waitUntil: 'load' });
        if (run) samples.push(Date.now() - t0);
        await context.close();
      }
      return percentile(samples, 50);
    };
    const overviewCeiling = await ceiling(overviewHtml);
    const listCeiling = await ceiling(listHtml);
    const kb = (s: string) => Math.round(Buffer.byteLength(s) / 1024);
    note(
      `console: Overview ${kb(overviewHtml)} kB of markup, ${calls.overview} ops API calls; Exceptions ${kb(listHtml)} kB, ${listed} rows shown, ${calls.list} ops API call(s)`,
    );
    const row = (figure: string, samples: number[], ceilingMs: number, label: string): Row => ({
      ...compareRow({ figure, unit: 'ms', product: percentile(samples, 50), ceiling: ceilingMs, ceilingLabel: label, better: 'lower', bound: BOUND_MS }),
      'p90 ms': percentile(samples, 90),
    });
    return {
      rows: [
        row('sign-in -> Overview with data (median)', signInMs, overviewCeiling, `static ${kb(overviewHtml)} kB page, bare node:http`),
        row('open Overview, signed in (median)', reloadMs, overviewCeiling, `static ${kb(overviewHtml)} kB page, bare node:http`),
        row(`open Exceptions, ${n} open (median)`, listMs, listCeiling, `static ${kb(listHtml)} kB page, bare node:http`),
      ],
    };
  } catch (err) {
    process.stderr.write(`${world.logs()}\n`);
    throw err;
  } finally {
    await browser?.close().catch(() => undefined);
    await bare.close();
    await publisher.disconnect().catch(() => undefined);
    await world.close();
  }
}
