import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Public } from '../auth/auth.guard.js';

/** The web app's folder: apps/gateway/web, whether this runs from dist/ or from the sources (tests). */
export function defaultWebDir(): string {
  return fileURLToPath(new URL('../../web/', import.meta.url)).replace(/\/dist\/apps\//, '/apps/');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** Static asset paths: js/ or icons/, at most one plain folder more, no dot-files, no way out of the folder. */
const ASSET = /^(?:js|icons)(?:\/[a-z0-9-]+)?\/[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:js|svg|png)$/;

const notFound = (res: Response) =>
  res.status(404).type('application/json').send({ statusCode: 404, code: 'NOT_FOUND', message: 'Not found' });

/**
 * The phone app (PWA): `/` and every `/app/...` path answer the app shell (deep links from push and SMS
 * such as /app/tasks/:id), `/sw.js` the service worker (scope /), the manifest, and the static assets under
 * /js, /icons and /app.css. Nothing here needs a login: the app logs in through the API.
 */
@ApiExcludeController()
@Public()
@Controller()
export class WebController {
  private readonly dir = defaultWebDir();
  private readonly cache = new Map<string, Buffer>();

  @Get()
  root(@Res() res: Response): void {
    this.shell(res);
  }

  @Get(['app', 'app/*path'])
  app(@Res() res: Response): void {
    this.shell(res);
  }

  @Get('sw.js')
  serviceWorker(@Res() res: Response): void {
    res.setHeader('Service-Worker-Allowed', '/');
    this.send(res, 'sw.js', 'no-cache');
  }

  @Get('manifest.webmanifest')
  manifest(@Res() res: Response): void {
    this.send(res, 'manifest.webmanifest', 'no-cache');
  }

  @Get('app.css')
  css(@Res() res: Response): void {
    this.send(res, 'app.css', 'no-cache');
  }

  @Get(['js/*path', 'icons/*path'])
  asset(@Req() req: Request, @Res() res: Response): void {
    const path = req.path.slice(1);
    const folder = path.split('/')[0];
    if (!ASSET.test(path)) {
      notFound(res);
      return;
    }
    // Scripts and styles change with the app and are revalidated (the service worker keeps the offline
    // copy); icons rarely change.
    this.send(res, path, folder === 'icons' ? 'public, max-age=86400' : 'no-cache');
  }

  private shell(res: Response): void {
    this.send(res, 'index.html', 'no-cache');
  }

  private send(res: Response, path: string, cacheControl: string): void {
    const body = this.read(path);
    if (!body) {
      notFound(res);
      return;
    }
    res.setHeader('Content-Type', TYPES[extname(path)] ?? 'application/octet-stream');
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.status(200).send(body);
  }

  private read(path: string): Buffer | null {
    const cached = this.cache.get(path);
    if (cached) {
      return cached;
    }
    const full = normalize(join(this.dir, path));
    if (!full.startsWith(this.dir.endsWith(sep) ? this.dir : this.dir + sep)) {
      return null;
    }
    try {
      if (!statSync(full).isFile()) {
        return null;
      }
      const body = readFileSync(full);
      // In production the files never change while the process runs; from the sources (development) they do.
      if (process.env.NODE_ENV === 'production') {
        this.cache.set(path, body);
      }
      return body;
    } catch {
      return null;
    }
  }
}
