#!/usr/bin/env node
// Builds the chart's tools, helm then kube-apiserver, each once into its cache (tools/helm,
// tools/kube). `npm test` starts this in the background at its start, so a fresh machine builds
// them while the other suites run; the kubernetes suite then waits for the build it needs.
import { buildHelm } from '../helm/helm.mjs';
import { buildApiServer } from './kube.mjs';

const started = Date.now();
const log = (line) => console.error(`[tool build] ${line}`);
try {
  await buildHelm(log);
  await buildApiServer(log);
  log(`helm and kube-apiserver ready (${((Date.now() - started) / 1000).toFixed(0)} s)`);
} catch (error) {
  // The kubernetes suite builds again and fails with this error; the other suites go on.
  log(error.message);
  process.exitCode = 1;
}
