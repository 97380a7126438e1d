import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { generateOpenApiDocument } from './openapi.js';

// `npm run openapi [-- <file>]`: writes the OpenAPI document (default ./openapi.json).
const file = process.argv[2] ?? 'openapi.json';
const document = await generateOpenApiDocument();
writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
console.log(`Wrote ${file}: ${Object.keys(document.paths).length} paths`);
