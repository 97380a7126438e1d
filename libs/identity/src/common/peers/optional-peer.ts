import { createRequire } from 'node:module';

// Resolved from this file, so a package installed by the host (hoisted beside this one) is found.
const requireFromHere = createRequire(import.meta.url);

function isMissing(err: unknown, name: string): boolean {
  const { code, message } = err as { code?: string; message?: string };
  return (
    (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && String(message).includes(`'${name}'`)
  );
}

/**
 * Imports an optional peer dependency (an ES module, as Nest 12's packages are), or `undefined` when the
 * host has not installed it. Any other failure while loading it is thrown as is.
 */
export async function importOptionalPeer<T>(name: string): Promise<T | undefined> {
  try {
    return (await import(name)) as T;
  } catch (err) {
    if (isMissing(err, name)) {
      return undefined;
    }
    throw err;
  }
}

/**
 * Loads an optional CommonJS peer dependency synchronously, or `undefined` when the host has not
 * installed it. Any other failure while loading it is thrown as is.
 */
export function loadOptionalPeer<T>(name: string): T | undefined {
  try {
    return requireFromHere(name) as T;
  } catch (err) {
    if (isMissing(err, name)) {
      return undefined;
    }
    throw err;
  }
}

/**
 * Loads a CommonJS peer dependency that an option the host chose needs; when it is missing, says which package
 * to install and why, instead of a bare module-not-found.
 */
export function requireOptionalPeer<T>(name: string, neededFor: string): T {
  const loaded = loadOptionalPeer<T>(name);
  if (loaded === undefined) {
    throw new Error(`nestjs-identity: ${neededFor} needs the package '${name}': npm install ${name}`);
  }
  return loaded;
}
