import { randomBytes } from 'node:crypto';
import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiProduces, ApiTags } from '@nestjs/swagger';
import { embedDashboardPage } from './embed-dashboard.page.js';

/** What Express's `Response` and Fastify's `Reply` both offer for setting a header. */
interface HeaderTarget {
  header(name: string, value: string): unknown;
}

/**
 * The demo embed page a customer's app would put in an iframe: `/embed/dashboard?token=ugt_…`.
 * The page itself is public and static; its script calls the token-protected dashboard route.
 */
@ApiTags('demo host')
@Controller('embed')
export class EmbedController {
  @Get('dashboard')
  @ApiProduces('text/html')
  @Header('Content-Type', 'text/html; charset=utf-8')
  // The token is in this page's URL: keep it out of Referer headers and caches.
  @Header('Referrer-Policy', 'no-referrer')
  @Header('Cache-Control', 'no-store')
  @Header('X-Content-Type-Options', 'nosniff')
  dashboard(@Res({ passthrough: true }) response: HeaderTarget): string {
    const nonce = randomBytes(16).toString('base64');
    // Only this response's inline script and style run; fetch goes to this origin only.
    // No frame-ancestors: an embed page is framed by the customer's own app, whose origin a demo can't know.
    response.header(
      'Content-Security-Policy',
      [
        "default-src 'none'",
        `script-src 'nonce-${nonce}'`,
        `style-src 'nonce-${nonce}'`,
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
      ].join('; '),
    );
    return embedDashboardPage(nonce);
  }
}
