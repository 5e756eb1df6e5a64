import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options of {@link readOrCreateFile}. */
export interface ReadOrCreateFileOptions {
  /**
   * Permission bits of a created file. An existing file that grants group or others more than
   * this is refused (its secret may have leaked). Defaults to 0o600 (owner only).
   */
  mode?: number;
}

/** What {@link readOrCreateFile} found or made. */
export interface ReadOrCreateFileResult {
  content: Buffer;
  /** True when this call wrote the file; false when it existed (or another process won). */
  created: boolean;
}

const defaultMode = 0o600;
const directoryMode = 0o700;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/** The content of an existing file, or `undefined` when there is none. */
async function readExisting(path: string, mode: number): Promise<Buffer | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new Error(`Cannot read ${path} (${errorCode(error) ?? String(error)})`, { cause: error });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new Error(`${path} is not a regular file`);
    const permissions = stats.mode & 0o777;
    // Group and others may hold at most what `mode` grants them.
    if ((permissions & 0o077 & ~mode) !== 0) {
      const wanted = mode.toString(8);
      throw new Error(
        `${path} is open to group or others (mode ${permissions.toString(8).padStart(4, '0')}), but holds ` +
          `a secret: run \`chmod ${wanted} ${path}\` (and consider the secret leaked if others could read it)`,
      );
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * Reads the file at `path`, or, when there is none, creates it with what `create` returns: for
 * secrets generated at first start (a signing key). `create` is called before anything is
 * written, so what it throws leaves no trace.
 *
 * Safe when several processes start together: each writes a temporary file beside the target
 * and hard-links it to the final name, which fails (EEXIST) for all but one; the losers read
 * the winner's file. So exactly one content wins, and the file is never seen half-written.
 * Missing parent directories are created with mode 0o700.
 *
 * Throws, naming the path, when the file cannot be read, is not a regular file, or grants
 * group or others more than `mode` (see {@link ReadOrCreateFileOptions.mode}).
 */
export async function readOrCreateFile(
  path: string,
  create: () => string | Uint8Array | Promise<string | Uint8Array>,
  options: ReadOrCreateFileOptions = {},
): Promise<ReadOrCreateFileResult> {
  const { mode = defaultMode } = options;
  if (path.length === 0 || path.includes('\0')) throw new Error('readOrCreateFile needs a file path');
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    throw new Error(`readOrCreateFile: mode must be permission bits (0 to 0o777), got ${mode}`);
  }

  const existing = await readExisting(path, mode);
  if (existing) return { content: existing, created: false };

  const created = await create();
  if (typeof created !== 'string' && !(created instanceof Uint8Array)) {
    throw new Error(`readOrCreateFile: create must return a string or bytes for ${path}`);
  }
  const content = Buffer.from(created);
  const directory = dirname(path);
  await mkdir(directory, { recursive: true, mode: directoryMode });

  const temporary = join(
    directory,
    `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    const handle = await open(temporary, 'wx', mode);
    try {
      await handle.writeFile(content);
      // The umask may have cleared bits the caller asked for.
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temporary, path);
      return { content, created: true };
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') {
        throw new Error(`Cannot create ${path} (${errorCode(error) ?? String(error)})`, { cause: error });
      }
    }
  } finally {
    await rm(temporary, { force: true });
  }
  // Another process created the file between our read and our link: theirs wins.
  const theirs = await readExisting(path, mode);
  if (!theirs) throw new Error(`${path} was created by another process and then removed`);
  return { content: theirs, created: false };
}
