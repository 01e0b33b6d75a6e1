import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { IncidentView, MyTaskView, TimelineEntryView } from '#lib/contracts';
import { DEMO_PASSWORD, demoPerson } from '#lib/demo';
import { pushMessage } from '../../apps/notifier/src/push/push-message.js';
import { waitFor } from '../support/wait.js';
import { System, type Api } from './support/system.js';

/** Code that runs in the page or the worker reaches the browser's globals through this (no DOM lib here). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type BrowserGlobals = any;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(process.cwd(), 'artifacts', 'screenshots');
const PHONE = { width: 360, height: 740 };
/** The machine is shared and slow at times: waits are long, and nothing asserts on timing. */
const UI_WAIT = 45_000;

/**
 * The phone app in Debian's Chromium, driven by playwright-core, against the whole system (four apps, a fake
 * push service, a fake Twilio): log in (with the SMS code when asked) → trigger a drill → the tasks appear →
 * acknowledge; a push delivered to the service worker through the DevTools protocol shows the notification and
 * its "Ik pak het op" acknowledges the task; a manager reviews and exports the timeline. Every screen is
 * photographed at 360 px wide into artifacts/screenshots/.
 */
describe('the phone app (PWA) in Chromium', () => {
  let system: System;
  let browser: Browser;
  let leaderApi: Api;
  let incident: IncidentView;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `Chromium is not installed at ${CHROMIUM}: the browser tests need it. Install it with ` +
          '`apt-get install -y chromium` (.ci/run does so when it is missing), or set CHROMIUM_PATH.',
      );
    }
    mkdirSync(SHOTS, { recursive: true });
    system = await System.start();
    leaderApi = await system.login('leider@deregenboog.example');
    // As the machine notes give them. playwright gives every launch a fresh, empty --user-data-dir itself.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 120_000,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 240_000);

  afterAll(async () => {
    for (const context of contexts) {
      await context.close().catch(() => undefined);
    }
    await browser?.close();
    await system?.stop();
  }, 120_000);

  async function phone(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({
      viewport: PHONE,
      deviceScaleFactor: 1,
      isMobile: true,
      hasTouch: true,
      locale: 'nl-NL',
      acceptDownloads: true,
    });
    await context.grantPermissions(['notifications'], { origin: system.baseUrl });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(UI_WAIT);
    // What the page says goes into the test's output, for a look after a failure.
    page.on('pageerror', (e) => console.log(`[page error] ${String(e)}`));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') {
        console.log(`[page ${m.type()}] ${m.text()}`);
      }
    });
    return { context, page };
  }

  /** A screenshot of the whole screen at 360 px, after checking nothing scrolls sideways. */
  async function shoot(page: Page, name: string): Promise<void> {
    const widths = await page.evaluate(() => ({
      scroll: (globalThis as BrowserGlobals).document.documentElement.scrollWidth,
      client: (globalThis as BrowserGlobals).document.documentElement.clientWidth,
    }));
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }

  /** The 6 digits of the newest SMS to the person's phone (when login asks for a code). */
  function latestCode(email: string, after: Date): string | null {
    const phoneNumber = demoPerson(email).phone;
    const sms = system.twilio.messages.filter((m) => m.to === phoneNumber && m.receivedAt >= after).at(-1);
    return sms?.body.match(/\b(\d{6})\b/)?.[1] ?? null;
  }

  async function logIn(page: Page, email: string, screenshot?: string): Promise<void> {
    await page.goto(`${system.baseUrl}/app/login`);
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(DEMO_PASSWORD);
    if (screenshot) {
      await shoot(page, screenshot);
    }
    const started = new Date(Date.now() - 1000);
    await page.locator('#login').click();
    await page.waitForFunction(
      () =>
        (globalThis as BrowserGlobals).document.querySelector('#otp-form') !== null ||
        !(globalThis as BrowserGlobals).location.pathname.startsWith('/app/login'),
      undefined,
      { timeout: UI_WAIT },
    );
    if (await page.locator('#otp-form').count()) {
      if (screenshot) {
        await shoot(page, `${screenshot}-code`);
      }
      const code = await waitFor(() => latestCode(email, started), {
        timeoutMs: UI_WAIT,
        message: `the login code SMS to ${email}`,
      });
      await page.locator('#otp').fill(code);
      await page.locator('#verify').click();
      await page.waitForURL((url) => !url.pathname.startsWith('/app/login'), { timeout: UI_WAIT });
    }
    await page.locator('#nav a').first().waitFor();
  }

  it('serves the shell for every /app path, the service worker, the manifest and the assets', async () => {
    for (const path of ['/', '/app/', '/app/tasks/6c1b2c1e-0000-4000-8000-000000000000', '/app/aftercare/x']) {
      const res = await fetch(`${system.baseUrl}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toContain('<script type="module" src="/js/app.js">');
    }
    const sw = await fetch(`${system.baseUrl}/sw.js`);
    expect(sw.status).toBe(200);
    expect(sw.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(sw.headers.get('service-worker-allowed')).toBe('/');
    expect(sw.headers.get('cache-control')).toBe('no-cache');
    const manifest = await fetch(`${system.baseUrl}/manifest.webmanifest`);
    expect(manifest.headers.get('content-type')).toMatch(/^application\/manifest\+json/);
    const body = (await manifest.json()) as { name: string; icons: { sizes: string; type: string; src: string }[] };
    expect(body.name).toBe('Crisisklaar');
    for (const icon of body.icons) {
      const res = await fetch(`${system.baseUrl}${icon.src}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(icon.type);
    }
    expect(body.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    expect((await fetch(`${system.baseUrl}/app.css`)).headers.get('content-type')).toMatch(/^text\/css/);
    expect((await fetch(`${system.baseUrl}/js/%2e%2e%2fsw.js`)).status).toBe(404);
    expect((await fetch(`${system.baseUrl}/js/nothing.js`)).status).toBe(404);
  });

  it('a crisis-team leader logs in, triggers a drill with press-and-hold, sees the tasks and acknowledges one', async () => {
    const { context, page } = await phone();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) {
        errors.push(m.text());
      }
    });
    await logIn(page, 'leider@deregenboog.example', '01-login');
    await page.waitForURL(/\/app\/trigger$/);
    await page.locator('[data-type="death-of-pupil"]').waitFor();
    await shoot(page, '02-trigger');

    await page.locator('[data-type="death-of-pupil"]').click();
    await page.locator('#summary').fill('Oefening: een leerling van groep 8 is overleden.');
    await page.locator('#drill').check();
    expect(await page.evaluate(() => (globalThis as BrowserGlobals).document.body.classList.contains('drill'))).toBe(
      true,
    );
    await expect(page.locator('#drill-badge').isVisible()).resolves.toBe(true);
    await shoot(page, '03-trigger-drill');

    // A tap is not enough: nothing starts.
    await page.locator('#hold').click();
    expect(page.url()).toMatch(/\/app\/trigger$/);
    // Press and hold until the incident opens.
    await page.locator('#hold').hover();
    await page.mouse.down();
    await page.waitForURL(/\/app\/incidents\/[0-9a-f-]{36}$/, { timeout: UI_WAIT });
    await page.mouse.up();
    const incidentId = new URL(page.url()).pathname.split('/').at(-1)!;
    await page.locator('#task-board [data-task]').first().waitFor();
    await shoot(page, '04-incident-board');

    incident = (await leaderApi.get<IncidentView>(`/api/incidents/${incidentId}`)).body;
    expect(incident.drill).toBe(true);
    expect(incident.calamityType).toBe('death-of-pupil');
    expect(incident.tasks.length).toBeGreaterThan(3);

    await page.locator('#nav a[href="/app/tasks"]').click();
    await page.locator('#tasks [data-task]').first().waitFor();
    const mine = (await leaderApi.get<MyTaskView[]>('/api/me/tasks')).body.filter(
      (t) => t.incidentId === incidentId && (t.status === 'pending' || t.status === 'notified'),
    );
    expect(mine.length).toBeGreaterThan(0);
    const task = mine[0]!;
    const card = page.locator(`#tasks [data-task="${task.id}"]`);
    await card.locator('.due').waitFor();
    await shoot(page, '05-my-tasks');
    await card.locator('[data-action="acknowledge"]').click();
    await page.locator(`#tasks [data-task="${task.id}"][data-status="acknowledged"]`).waitFor();
    const after = (await leaderApi.get<IncidentView>(`/api/incidents/${incidentId}`)).body;
    expect(after.tasks.find((t) => t.id === task.id)?.status).toBe('acknowledged');

    // Done with a note, and the parties of the task with tap-to-call.
    const done = page.locator(`#tasks [data-task="${task.id}"]`);
    await done.locator('details summary').click();
    await shoot(page, '06-task-parties');
    await done.locator('[data-action="done"]').click();
    await done.locator('textarea').fill('Team om 08:20 bijeen');
    await done.locator('[data-action="save-done"]').click();
    await page.locator(`#tasks [data-task="${task.id}"][data-status="done"]`).waitFor();

    // Communication: the core message drafted from the phone, the sociale kaart with tel: links.
    await page.goto(`${system.baseUrl}/app/incidents/${incidentId}/communication`);
    await page.locator('#social-map').waitFor();
    if (await page.locator('#draft-core').count()) {
      await page.locator('#draft-core').click();
    }
    await page.locator('#messages [data-message]').first().waitFor();
    await page.locator('#social-map a[href^="tel:"]').first().waitFor();
    await shoot(page, '07-communication');

    // The English switch is remembered.
    await page.locator('#lang').click();
    await page.locator('#nav a[href="/app/tasks"]', { hasText: 'My tasks' }).waitFor();
    await page.reload();
    await page.locator('#nav a[href="/app/tasks"]', { hasText: 'My tasks' }).waitFor();
    expect(await page.evaluate(() => (globalThis as BrowserGlobals).document.documentElement.lang)).toBe('en');
    await shoot(page, '08-communication-en');
    await page.locator('#lang').click();

    // The shell is in the service worker's cache (the app opens offline).
    const cached = await page.evaluate(async () => {
      await (globalThis as BrowserGlobals).navigator.serviceWorker.ready;
      return (
        !!(await (globalThis as BrowserGlobals).caches.match('/app/')) &&
        !!(await (globalThis as BrowserGlobals).caches.match('/js/app.js'))
      );
    });
    expect(cached).toBe(true);
    expect(errors).toEqual([]);

    // With the network gone, a deep link still opens the app: the shell comes from the service worker and says
    // plainly that data arrives when the phone is back online (never a browser error page).
    await context.setOffline(true);
    await page.goto(`${system.baseUrl}/app/tasks`);
    await page.locator('#offline', { hasText: 'Geen verbinding' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('#main').textContent()).toContain('Geen verbinding');
    await shoot(page, '09-offline');
    await context.setOffline(false);
  });

  it('a push delivered to the service worker shows the notification, and “Ik pak het op” acknowledges the task', async () => {
    expect(incident).toBeDefined();
    const liaisonEmail = 'familiecontact@deregenboog.example';
    const liaison = demoPerson(liaisonEmail);
    const task = incident.tasks.find(
      (t) => t.assigneeId === liaison.id && (t.status === 'pending' || t.status === 'notified'),
    );
    expect(task).toBeDefined();
    const { context, page } = await phone();
    await logIn(page, liaisonEmail);
    // The page is controlled once the worker has claimed it.
    await page.waitForFunction(
      () => (globalThis as BrowserGlobals).navigator.serviceWorker.controller !== null,
      undefined,
      { timeout: UI_WAIT },
    );

    const cdp = await context.newCDPSession(page);
    const registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: typeof registrations }) =>
      registrations.push(...e.registrations),
    );
    await cdp.send('ServiceWorker.enable');
    const registration = await waitFor(
      () => registrations.find((r) => r.scopeURL === `${system.baseUrl}/` && !r.isDeleted),
      { timeoutMs: UI_WAIT, message: 'the service worker registration' },
    );
    // The very payload the notifier sends for a task.
    const payload = pushMessage(system.baseUrl, {
      taskId: task!.id,
      announcementId: null,
      incidentId: incident.id,
      cause: { drill: true },
    });
    await cdp.send('ServiceWorker.deliverPushMessage', {
      origin: system.baseUrl,
      registrationId: registration.registrationId,
      data: JSON.stringify(payload),
    });
    const shown = await waitFor(
      async () => {
        const list = await page.evaluate(async (tag) => {
          const reg = await (globalThis as BrowserGlobals).navigator.serviceWorker.ready;
          return (await reg.getNotifications({ tag })).map((n: BrowserGlobals) => ({
            title: n.title,
            body: n.body,
            tag: n.tag,
            data: n.data as { url: string; taskId: string },
            actions: ((n as unknown as { actions?: { action: string; title: string }[] }).actions ?? []).map((a) => ({
              action: a.action,
              title: a.title,
            })),
          }));
        }, task!.id);
        return list[0];
      },
      { timeoutMs: UI_WAIT, message: 'the notification of the push' },
    );
    expect(shown.title).toBe('Crisisklaar (oefening): nieuwe taak');
    expect(shown.data.url).toBe(`${system.baseUrl}/app/tasks/${task!.id}`);
    expect(shown.actions).toEqual(expect.arrayContaining([{ action: 'acknowledge', title: 'Ik pak het op' }]));

    // The worker must do it with the refresh cookie alone: forget the token the page handed it.
    await page.evaluate(() =>
      (globalThis as BrowserGlobals).navigator.serviceWorker.controller.postMessage({ type: 'token', token: null }),
    );
    // "Ik pak het op": a notificationclick with that action, inside the worker; the app is not opened.
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    const pagesBefore = context.pages().length;
    await worker.evaluate(async (tag) => {
      const scope = globalThis as unknown as {
        registration: { getNotifications(o: { tag: string }): Promise<unknown[]> };
        dispatchEvent(e: Event): boolean;
      };
      const [notification] = await scope.registration.getNotifications({ tag });
      const Ctor = (globalThis as unknown as { NotificationEvent: new (t: string, i: object) => Event })
        .NotificationEvent;
      scope.dispatchEvent(new Ctor('notificationclick', { notification, action: 'acknowledge' }));
    }, task!.id);
    await waitFor(
      async () =>
        (await leaderApi.get<IncidentView>(`/api/incidents/${incident.id}`)).body.tasks.find((t) => t.id === task!.id)
          ?.status === 'acknowledged',
      { timeoutMs: UI_WAIT, intervalMs: 250, message: 'the task acknowledged from the notification' },
    );
    expect(context.pages().length).toBe(pagesBefore);

    // The deep link of the push and SMS opens the task itself.
    await page.goto(shown.data.url);
    await page.locator(`#tasks [data-task="${task!.id}"][data-status="acknowledged"]`).waitFor();
    await shoot(page, '09-task-deep-link');
  });

  it('a manager reviews the incident, filters and pages the timeline, exports it as CSV and reads the report', async () => {
    expect(incident).toBeDefined();
    const { page } = await phone();
    await logIn(page, 'directie@deregenboog.example');
    await page.waitForURL(/\/app\/incidents$/);
    await page.locator(`[data-incident="${incident.id}"]`).waitFor();
    await shoot(page, '10-incidents');
    await page.locator(`[data-incident="${incident.id}"]`).click();
    await page.locator('#task-board [data-status="acknowledged"], #task-board [data-status="done"]').first().waitFor();
    await page.locator('#delivery-board [data-count="reached"]').waitFor();
    await shoot(page, '11-incident-manager');

    await page.goto(`${system.baseUrl}/app/incidents/${incident.id}/timeline`);
    await page.locator('#timeline li').first().waitFor();
    await page.locator('#report [data-milestone]').first().waitFor();
    await shoot(page, '12-timeline');

    // Filter: only acknowledgements (the leader's in the app, the liaison's from the notification).
    await waitFor(
      async () =>
        (
          await leaderApi.get<TimelineEntryView[]>(
            `/api/incidents/${incident.id}/timeline?type=crisis.task.acknowledged.v1`,
          )
        ).body.length >= 2,
      { timeoutMs: UI_WAIT, intervalMs: 250, message: 'both acknowledgements on the timeline' },
    );
    await page.locator('#f-type').fill('crisis.task.acknowledged.v1');
    await page.locator('#apply').click();
    await page.waitForFunction(
      () =>
        (globalThis as BrowserGlobals).document.querySelectorAll('#timeline li').length >= 2 &&
        [...(globalThis as BrowserGlobals).document.querySelectorAll('#timeline li')].every(
          (li: BrowserGlobals) => li.getAttribute('data-type') === 'crisis.task.acknowledged.v1',
        ),
      undefined,
      { timeout: UI_WAIT },
    );
    await shoot(page, '13-timeline-filtered');

    const downloading = page.waitForEvent('download');
    await page.locator('#export-csv').click();
    const csvFile = await (await downloading).path();
    const csv = readFileSync(csvFile, 'utf8');
    expect(csv.split('\n').length).toBeGreaterThanOrEqual(3);
    expect(csv).toContain('crisis.task.acknowledged.v1');
    expect(csv).not.toContain('crisis.incident.activated.v1');

    // Paging: the filter off, then the next page after the first PAGE entries when there are more.
    await page.locator('#f-type').fill('');
    await page.locator('#apply').click();
    await page.waitForFunction(
      () =>
        [...(globalThis as BrowserGlobals).document.querySelectorAll('#timeline li')].some(
          (li: BrowserGlobals) => li.getAttribute('data-type') !== 'crisis.task.acknowledged.v1',
        ),
      undefined,
      { timeout: UI_WAIT },
    );
    if (await page.locator('#next-page:not(.hidden)').count()) {
      const before = await page.locator('#timeline li').count();
      await page.locator('#next-page').click();
      await page.waitForFunction(
        (n) => (globalThis as BrowserGlobals).document.querySelectorAll('#timeline li').length > n,
        before,
        {
          timeout: UI_WAIT,
        },
      );
    }

    const reportDownload = page.waitForEvent('download');
    await page.locator('#download-report').click();
    const html = readFileSync(await (await reportDownload).path(), 'utf8');
    expect(html).toMatch(/<html/i);
  });

  it('an admin sees the crisis plan with roles and deputies, and the staff import form', async () => {
    const { page } = await phone();
    await logIn(page, 'beheer@deregenboog.example');
    await page.waitForURL(/\/app\/admin$/);
    await page.locator('#plan [data-role="leader"]').waitFor();
    expect(await page.locator('#plan [data-role]').count()).toBeGreaterThanOrEqual(10);
    // The plan names people, not ids: the leader and the deputy of the leader role by name.
    const leaderSection = await page.locator('#plan [data-role="leader"]').textContent();
    expect(leaderSection).toContain(demoPerson('leider@deregenboog.example').name);
    expect(leaderSection).toContain(demoPerson('leider.plv@deregenboog.example').name);
    await shoot(page, '14-admin');
    // The staff import: one good line, one refused line named with its number.
    await page
      .locator('#csv-text')
      .fill('email,name,role\nnieuwe.docent@deregenboog.example,Nieuwe Docent,staff\nfout-adres,Iemand,staff\n');
    await page.locator('#import button[type="submit"]').click();
    await page.locator('#import-result p').waitFor();
    const result = await page.locator('#import-result').innerText();
    expect(result).toContain('1 nieuw');
    expect(result).toMatch(/regel 3/);
    await shoot(page, '15-admin-import');
  });
});
