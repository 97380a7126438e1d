import { randomBytes } from 'node:crypto';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { embedDashboardPage } from './embed-dashboard.page.js';

/**
 * The demo embed page a customer's app would put in an iframe: `/embed/dashboard?token=ugt_…`.
 * The page itself is public and static; its script calls the token-protected dashboard route.
 */
@ApiTags('demo host')
@Controller('embed')
export class EmbedController {
  @Get('dashboard')
  @ApiProduces('text/html')
  dashboard(@Res({ passthrough: true }) response: Response): string {
    const nonce = randomBytes(16).toString('base64');
    response.set({
      'Content-Type': 'text/html; charset=utf-8',
      // Only this response's inline script and style run; fetch goes to this origin only.
      // No frame-ancestors: an embed page is framed by the customer's own app, whose origin a demo can't know.
      'Content-Security-Policy': [
        "default-src 'none'",
        `script-src 'nonce-${nonce}'`,
        `style-src 'nonce-${nonce}'`,
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
      ].join('; '),
      // The token is in this page's URL: keep it out of Referer headers and caches.
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    return embedDashboardPage(nonce);
  }
}
