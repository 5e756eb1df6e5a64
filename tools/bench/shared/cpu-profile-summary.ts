// Summarises a V8 CPU profile (`node --cpu-prof`'s .cpuprofile) by where the code lives: an npm
// package (the last node_modules/ segment), a workspace project (libs/grpc, apps/order-service),
// a Node internal module, or V8 itself ((garbage collector), (program)); and by file. Self time
// is the samples whose leaf frame is there; inclusive time the samples with such a frame
// anywhere on their stack (counted once per sample). Shares are of the busy time ((idle) left
// out). `--window from,to` keeps the samples taken from..to ms after the profile's start (the
// benchmark prints the window of its measured run, leaving out start-up and warm-up).
//   node tools/dist/bench/shared/cpu-profile-summary.js <file.cpuprofile> [--top 15] [--window 4000,14000]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  selfMs: number;
  inclusiveMs: number;
}

export interface ProfileSummary {
  busyMs: number;
  byPackage: Share[];
  byFile: Share[];
  /** Functions by self time: `name (file:line)`. */
  byFunction: Share[];
}

const workspaceRoot = resolve(import.meta.dirname, '..', '..', '..', '..');

function pathOf(url: string): string {
  if (!url.startsWith('file://')) return url;
  const path = fileURLToPath(url);
  return path.startsWith(`${workspaceRoot}/`) ? path.slice(workspaceRoot.length + 1) : path;
}

/** The package a frame belongs to. */
export function packageOf(frame: ProfileNode['callFrame']): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (frame.url.startsWith('node:')) {
    const parts = frame.url.slice('node:'.length).split('/');
    return `node:${parts[0] === 'internal' && parts.length > 2 ? `internal/${parts[1]}` : parts.join('/')}`;
  }
  const path = pathOf(frame.url);
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scope, name] = path.slice(modules + 'node_modules/'.length).split('/');
    return scope?.startsWith('@') ? `${scope}/${name}` : (scope ?? path);
  }
  const project = /^(libs\/(?:[^/]+\/)*?[^/]+|apps\/[^/]+|tools)\/(?:dist|src)\//.exec(path);
  return project?.[1] ?? path;
}

function fileOf(frame: ProfileNode['callFrame']): string {
  if (!frame.url) return packageOf(frame);
  const path = pathOf(frame.url);
  const modules = path.lastIndexOf('node_modules/');
  return modules >= 0 ? path.slice(modules + 'node_modules/'.length) : path;
}

/** The summary of the samples taken within `windowMs` (ms after the profile's start) when given. */
export function summariseProfile(profile: Profile, windowMs?: readonly [number, number]): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const keys = {
    byPackage: (node: ProfileNode) => packageOf(node.callFrame),
    byFile: (node: ProfileNode) => fileOf(node.callFrame),
    byFunction: (node: ProfileNode) =>
      `${node.callFrame.functionName || '(anonymous)'} (${fileOf(node.callFrame)}:${node.callFrame.lineNumber + 1})`,
  };
  const tables = {
    byPackage: new Map<string, Share>(),
    byFile: new Map<string, Share>(),
    byFunction: new Map<string, Share>(),
  };
  let busyUs = 0;
  let atUs = 0;
  profile.samples.forEach((id, index) => {
    const leaf = byId.get(id);
    const us = profile.timeDeltas[index] ?? 0;
    atUs += us;
    if (windowMs && (atUs < windowMs[0] * 1000 || atUs > windowMs[1] * 1000)) return;
    if (!leaf || leaf.callFrame.functionName === '(idle)') return;
    busyUs += us;
    const stack: ProfileNode[] = [];
    for (let node: ProfileNode | undefined = leaf; node; node = byId.get(parentOf.get(node.id) ?? -1)) {
      if (node.callFrame.functionName !== '(root)') stack.push(node);
    }
    for (const [table, keyOf] of Object.entries(keys) as [
      keyof typeof keys,
      (node: ProfileNode) => string,
    ][]) {
      const shares = tables[table];
      const share = (name: string) => {
        let found = shares.get(name);
        if (!found) shares.set(name, (found = { name, selfMs: 0, inclusiveMs: 0 }));
        return found;
      };
      share(keyOf(leaf)).selfMs += us / 1000;
      for (const name of new Set(stack.map(keyOf))) share(name).inclusiveMs += us / 1000;
    }
  });
  const sorted = (shares: Map<string, Share>) => [...shares.values()].sort((a, b) => b.selfMs - a.selfMs);
  return {
    busyMs: busyUs / 1000,
    byPackage: sorted(tables.byPackage),
    byFile: sorted(tables.byFile),
    byFunction: sorted(tables.byFunction),
  };
}

function printTable(title: string, shares: Share[], busyMs: number, top: number, inclusive: boolean): void {
  const percent = (ms: number) => `${((ms / busyMs) * 100).toFixed(1)}%`;
  console.log(`\n${title}`);
  console.log(inclusive ? '| where | self | inclusive |' : '| where | self |');
  console.log(inclusive ? '| --- | ---: | ---: |' : '| --- | ---: |');
  for (const share of shares.slice(0, top)) {
    const cells = [share.name, percent(share.selfMs), ...(inclusive ? [percent(share.inclusiveMs)] : [])];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, ...rest] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpu-profile-summary.js <file.cpuprofile> [--top N]');
  const topIndex = rest.indexOf('--top');
  const top = topIndex >= 0 ? Number(rest[topIndex + 1]) : 15;
  const windowIndex = rest.indexOf('--window');
  const window = windowIndex >= 0 ? rest[windowIndex + 1]?.split(',').map(Number) : undefined;
  if (window && (window.length !== 2 || window.some((value) => !Number.isFinite(value)))) {
    throw new Error('--window takes two numbers of ms: from,to');
  }
  const summary = summariseProfile(
    JSON.parse(readFileSync(file, 'utf8')) as Profile,
    window as [number, number] | undefined,
  );
  console.log(`busy: ${summary.busyMs.toFixed(0)} ms of samples`);
  printTable(
    'By package (npm package, workspace project, Node module, V8)',
    summary.byPackage,
    summary.busyMs,
    top,
    true,
  );
  printTable(
    'By file, by inclusive time',
    [...summary.byFile].sort((a, b) => b.inclusiveMs - a.inclusiveMs),
    summary.busyMs,
    top,
    true,
  );
  printTable('By file, by self time', summary.byFile, summary.busyMs, top, true);
  printTable('Functions by self time', summary.byFunction, summary.busyMs, top, false);
}
