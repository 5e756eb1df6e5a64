#!/usr/bin/env node
// A throwaway single-node Apache Kafka (KRaft, broker and controller in one JVM) on 127.0.0.1
// for tests, the dev stack and CI. Kafka's jars come from Maven Central through Maven (cached),
// so only Java 17+ and Maven are needed; no Docker, no downloaded tarball.
//
//   node tools/kafka/kafka.mjs start          # prints the bootstrap address 127.0.0.1:<port>
//   node tools/kafka/kafka.mjs status         # prints the address when running, else exits 1
//   node tools/kafka/kafka.mjs stop [--keep]  # stops it and deletes its data (--keep: the next start resumes it)
//   node tools/kafka/kafka.mjs fetch          # only fetches the jars (prints their directory)
//
// `start` formats fresh KRaft storage in a temp directory, starts the broker detached (its log is
// server.log in that directory) and returns once it answers Kafka requests (60 s at most). A
// broker already started with the same state file that still answers is reused. The pid, ports
// and directories are kept in a state file (KAFKA_STATE_FILE, default /tmp/platform-kafka.json),
// so `stop` works from another shell.
//
// Jars: KAFKA_CACHE_DIR (default ~/.cache/platform-kafka)/<version>/libs, fetched once with
// `mvn dependency:copy-dependencies` from a generated pom.xml. Java: $JAVA_HOME/bin/java when
// JAVA_HOME is set, else `java` on PATH. KAFKA_VERSION picks another pinned version (below);
// KAFKA_HEAP_MB the heap limit (512).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { freePort } from '../scripts/free-port.mjs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Pinned versions. Kafka declares its logging backend compile-only, so each version names the
 * backend its own distribution ships: log4j 2 (through the SLF4J 1.7 binding) from 4.0 on,
 * reload4j before.
 */
const versions = {
  '4.4.0': log4j2('2.25.3'),
  '3.9.2': {
    backend: [['org.slf4j', 'slf4j-reload4j', '1.7.36']],
    logConfig: (file) => [`-Dlog4j.configuration=file:${file}`],
    logConfigText: [
      'log4j.rootLogger=INFO, stdout',
      'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
      'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.org.apache.kafka=INFO',
      '',
    ].join('\n'),
  },
};
const defaultVersion = '4.4.0';
const dependencyPlugin = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
const minimumJava = 17;
const readyTimeoutMs = 60_000;
const stopTimeoutMs = 30_000;

function log4j2(log4jVersion) {
  return {
    backend: [
      ['org.apache.logging.log4j', 'log4j-slf4j-impl', log4jVersion],
      ['org.apache.logging.log4j', 'log4j-core', log4jVersion],
    ],
    logConfig: (file) => [`-Dlog4j2.configurationFile=${file}`],
    logConfigText: [
      'status = warn',
      'appender.stdout.type = Console',
      'appender.stdout.name = STDOUT',
      'appender.stdout.layout.type = PatternLayout',
      'appender.stdout.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.stdout.ref = STDOUT',
      '',
    ].join('\n'),
  };
}

const stateFile = process.env.KAFKA_STATE_FILE ?? join(tmpdir(), 'platform-kafka.json');
const version = process.env.KAFKA_VERSION ?? defaultVersion;
const cacheRoot =
  process.env.KAFKA_CACHE_DIR ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'platform-kafka');

function fail(message) {
  console.error(`kafka.mjs: ${message}`);
  process.exit(1);
}

function info(message) {
  console.error(`kafka.mjs: ${message}`);
}

// --- Java and Maven -------------------------------------------------------------------------

function javaBinary() {
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (result.error) {
    return fail(
      `Java ${minimumJava}+ not found (${java}: ${result.error.code ?? result.error.message}); ` +
        `install a JDK or JRE ${minimumJava}+ (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME`,
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : NaN;
  if (!(major >= minimumJava)) {
    return fail(
      `Kafka ${version} needs Java ${minimumJava}+, but ${java} is ${match ? `Java ${major}` : 'of unknown version'}; ` +
        `install a JDK or JRE ${minimumJava}+ (e.g. apt-get install openjdk-17-jre-headless) or set JAVA_HOME`,
    );
  }
  return java;
}

function pomXml(spec) {
  const dependency = ([group, artifact, artifactVersion]) =>
    `    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId>` +
    `<version>${artifactVersion}</version></dependency>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!-- Generated by tools/kafka/kafka.mjs: the jars of a Kafka broker and its CLI tools. -->',
    '<project xmlns="http://maven.apache.org/POM/4.0.0">',
    '  <modelVersion>4.0.0</modelVersion>',
    '  <groupId>local.platform</groupId>',
    `  <artifactId>kafka-${version}-libs</artifactId>`,
    '  <version>0</version>',
    '  <packaging>pom</packaging>',
    '  <dependencies>',
    dependency(['org.apache.kafka', 'kafka_2.13', version]),
    dependency(['org.apache.kafka', 'kafka-tools', version]),
    ...spec.backend.map(dependency),
    '  </dependencies>',
    '</project>',
    '',
  ].join('\n');
}

/** The directory holding every jar of the pinned version, fetched with Maven when missing. */
function fetchLibs() {
  const spec = versions[version];
  if (!spec) fail(`unknown KAFKA_VERSION ${version}; pinned: ${Object.keys(versions).join(', ')}`);
  const dir = join(cacheRoot, version);
  const libs = join(dir, 'libs');
  const pom = pomXml(spec);
  const marker = join(libs, '.complete');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === pom) return { dir, libs, spec };

  const mvn = spawnSync('mvn', ['--version'], { encoding: 'utf8' });
  if (mvn.error) {
    fail(
      `Maven not found (mvn: ${mvn.error.code ?? mvn.error.message}); it fetches Kafka ${version} once into ` +
        `${dir}: install it (e.g. apt-get install maven)`,
    );
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), pom);
  const staging = join(dir, `libs.tmp-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  info(`fetching Kafka ${version} with Maven into ${libs}`);
  const started = Date.now();
  const result = spawnSync(
    'mvn',
    [
      '-B',
      '-q',
      '-f',
      join(dir, 'pom.xml'),
      `${dependencyPlugin}:copy-dependencies`,
      `-DoutputDirectory=${staging}`,
      '-DincludeScope=runtime',
    ],
    { encoding: 'utf8', cwd: dir, maxBuffer: 64 * 1024 * 1024 },
  );
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  writeFileSync(join(dir, 'mvn.log'), output);
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    const errorLine = output.split('\n').find((line) => line.includes('[ERROR]'));
    const error = errorLine?.slice(errorLine.indexOf('[ERROR]')).trim();
    fail(
      `fetching Kafka ${version} with Maven failed (${result.error?.message ?? `exit ${result.status}`}; ` +
        `full output in ${join(dir, 'mvn.log')})${error ? `: ${error}` : ''}; check the network or the ` +
        'Maven mirror in ~/.m2/settings.xml',
    );
  }
  writeFileSync(join(staging, '.complete'), pom);
  rmSync(libs, { recursive: true, force: true });
  try {
    renameSync(staging, libs);
  } catch (error) {
    // Another start fetched the same version at the same time: use its jars.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(marker)) throw error;
  }
  info(`fetched ${readdirSync(libs).length - 1} jars in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { dir, libs, spec };
}

// --- The broker -----------------------------------------------------------------------------

/**
 * Whether a Kafka broker answers on the port: an ApiVersions (v0) request whose response
 * carries our correlation id and no error. Resolves false on any failure or after timeoutMs.
 */
function kafkaAnswers(port, timeoutMs = 2_000) {
  return new Promise((resolve) => {
    const clientId = Buffer.from('platform-kafka-probe');
    const request = Buffer.alloc(14 + clientId.length);
    request.writeInt32BE(10 + clientId.length, 0); // size
    request.writeInt16BE(18, 4); // api key: ApiVersions
    request.writeInt16BE(0, 6); // api version
    request.writeInt32BE(0x5eed, 8); // correlation id
    request.writeInt16BE(clientId.length, 12);
    clientId.copy(request, 14);
    const socket = connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    const finish = (answered) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answered);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('error', () => finish(false));
    socket.once('close', () => finish(false));
    socket.once('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 10) finish(received.readInt32BE(4) === 0x5eed && received.readInt16BE(8) === 0);
    });
  });
}

function readState() {
  if (!existsSync(stateFile)) return undefined;
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Whether the pid is still the broker this state file started (not a reused pid). */
function isOurBroker(state) {
  try {
    const commandLine = readFileSync(`/proc/${state.pid}/cmdline`, 'utf8');
    return commandLine.includes('kafka.Kafka') && commandLine.includes(state.configFile);
  } catch {
    return false;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function logTail(logFile, lines = 40) {
  if (!existsSync(logFile)) return '(no server log)';
  return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Sends SIGTERM, waits for the exit (bounded), then SIGKILL. Resolves once the pid is gone. */
async function terminate(pid) {
  if (!isAlive(pid)) return 'already gone';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + stopTimeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await sleep(100);
  }
  process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  return `killed after ${stopTimeoutMs / 1000} s`;
}

function serverProperties({ port, controllerPort, logDirs }) {
  return [
    '# Generated by tools/kafka/kafka.mjs: one node, broker and controller, loopback only.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDirs}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // The log cleaner's key map, allocated whole in the heap at start: 128 MB by default, half of
    // a small heap for the few compacted partitions (consumer offsets) one node has here.
    'log.cleaner.dedupe.buffer.size=16777216',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

async function runningState() {
  const state = readState();
  if (state && isOurBroker(state) && (await kafkaAnswers(state.port))) return state;
  return undefined;
}

async function start() {
  const existing = readState();
  if (existing && !existing.stopped && isOurBroker(existing)) {
    if (await kafkaAnswers(existing.port)) {
      info(`already running (pid ${existing.pid}, ${existing.dir})`);
      return console.log(existing.bootstrap);
    }
    info(`pid ${existing.pid} of ${stateFile} does not answer on ${existing.port}; stopping it`);
    await terminate(existing.pid);
  }
  // A broker stopped with --keep starts again on its data, ports and cluster id, with this
  // launcher's settings (a kept broker of an earlier one had a cleaner buffer its heap now lacks).
  if (existing?.stopped && existsSync(existing.configFile) && existing.version === version) {
    writeFileSync(existing.configFile, serverProperties(existing));
    return launch({ ...existing, stopped: false, pid: undefined }, { fresh: false });
  }
  if (existing) {
    rmSync(existing.dir, { recursive: true, force: true });
    rmSync(stateFile, { force: true });
  }

  const java = javaBinary();
  const { dir: cacheDir, libs, spec } = fetchLibs();
  const logConfigFile = join(cacheDir, 'log4j-broker.properties');
  writeFileSync(logConfigFile, spec.logConfigText);

  const dir = mkdtempSync(join(tmpdir(), 'platform-kafka-'));
  const logDirs = join(dir, 'data');
  const configFile = join(dir, 'server.properties');
  const logFile = join(dir, 'server.log');
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  writeFileSync(configFile, serverProperties({ port, controllerPort, logDirs }));
  const state = {
    port,
    controllerPort,
    bootstrap: `127.0.0.1:${port}`,
    version,
    dir,
    logDirs,
    configFile,
    logFile,
    logConfigFile,
    libs,
    java,
    // base64url may start with '-': it is passed as --cluster-id=<id> so it is never read as a flag.
    clusterId: randomBytes(16).toString('base64url'),
  };
  const format = spawnSync(
    java,
    [
      ...jvmOptions(state),
      'kafka.tools.StorageTool',
      'format',
      `--cluster-id=${state.clusterId}`,
      '-c',
      configFile,
    ],
    { encoding: 'utf8', cwd: dir },
  );
  if (format.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    fail(
      `kafka-storage format failed (${format.error?.message ?? `exit ${format.status}`}):\n` +
        `${format.stdout ?? ''}${format.stderr ?? ''}`.trim(),
    );
  }
  return launch(state, { fresh: true });
}

/**
 * The broker's heap limit: KAFKA_HEAP_MB, 512 by default (the fault suites push thousands of
 * records a second through it). The dev stack asks for 128. A heap of 256 MB or less is collected
 * by the serial collector: a small heap gains nothing from G1's concurrent work, whose
 * remembered sets cost tens of MB of native memory.
 */
function heapOptions() {
  const text = process.env.KAFKA_HEAP_MB ?? '512';
  const heapMb = Number(text);
  if (!Number.isInteger(heapMb) || heapMb < 128)
    fail(`KAFKA_HEAP_MB must be a whole number of MB, at least 128, not "${text}"`);
  return [
    `-Xms${Math.min(128, heapMb)}m`,
    `-Xmx${heapMb}m`,
    heapMb <= 256 ? '-XX:+UseSerialGC' : '-XX:+UseG1GC',
  ];
}

function jvmOptions(state) {
  return [
    ...heapOptions(),
    '-Djava.awt.headless=true',
    ...versions[state.version].logConfig(state.logConfigFile),
    '-cp',
    join(state.libs, '*'),
  ];
}

/** Starts the broker of `state` detached and waits until it answers; a fresh one's directory is removed on failure. */
async function launch(state, { fresh }) {
  const { dir, logFile, port, bootstrap } = state;
  const started = Date.now();
  const logFd = openSync(logFile, 'a');
  const child = spawn(state.java, [...jvmOptions(state), 'kafka.Kafka', state.configFile], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const { pid } = child;
  if (pid === undefined) {
    if (fresh) rmSync(dir, { recursive: true, force: true });
    return fail(`could not start ${state.java}`);
  }
  let exited;
  child.once('exit', (code, signal) => (exited = signal ?? `exit ${code}`));
  child.unref();
  writeFileSync(stateFile, `${JSON.stringify({ ...state, pid }, null, 2)}\n`);

  const abandon = async (reason) => {
    await terminate(pid);
    const tail = logTail(logFile);
    if (fresh) {
      rmSync(dir, { recursive: true, force: true });
      rmSync(stateFile, { force: true });
    } else {
      writeFileSync(stateFile, `${JSON.stringify({ ...state, stopped: true }, null, 2)}\n`);
    }
    fail(`${reason}\nserver log (last lines):\n${tail}`);
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => abandon(`interrupted (${signal})`));

  // A restarted broker logs "Kafka Server started" again after the earlier runs' lines.
  const logStart = existsSync(logFile) ? readFileSync(logFile, 'utf8').length : 0;
  const deadline = started + readyTimeoutMs;
  for (;;) {
    if (exited) return abandon(`Kafka ${state.version} exited during startup (${exited})`);
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(logStart) : '';
    if (log.includes('Kafka Server started') && (await kafkaAnswers(port))) break;
    if (Date.now() > deadline)
      return abandon(`Kafka ${state.version} did not answer on ${bootstrap} within 60 s`);
    await sleep(250);
  }
  for (const signal of ['SIGINT', 'SIGTERM']) process.removeAllListeners(signal);
  info(
    `Kafka ${state.version} ${fresh ? 'running' : 'restarted on its kept data'} (pid ${pid}, ${bootstrap}, ${dir}), ready in ` +
      `${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  console.log(bootstrap);
}

async function stop(keep) {
  const state = readState();
  if (!state) {
    info(`not running (no ${stateFile})`);
    return;
  }
  // A broker stopped with --keep has no pid any more: only its data is left to keep or remove.
  let outcome = 'Kafka was already stopped (with --keep)';
  if (!state.stopped)
    outcome = `pid ${state.pid} ${isOurBroker(state) ? await terminate(state.pid) : 'already gone'}`;
  if (keep) {
    writeFileSync(stateFile, `${JSON.stringify({ ...state, pid: undefined, stopped: true }, null, 2)}\n`);
  } else {
    rmSync(state.dir, { recursive: true, force: true });
    rmSync(stateFile, { force: true });
  }
  info(`${outcome}; ${keep ? `kept ${state.dir} (start resumes it)` : `removed ${state.dir}`}`);
}

const [command, ...flags] = process.argv.slice(2);
switch (command) {
  case 'start':
    await start();
    break;
  case 'stop':
    await stop(flags.includes('--keep'));
    break;
  case 'status': {
    const state = await runningState();
    if (!state) fail('not running');
    info(`Kafka ${state.version} running (pid ${state.pid}, ${state.dir})`);
    console.log(state.bootstrap);
    break;
  }
  case 'fetch':
    javaBinary();
    console.log(fetchLibs().libs);
    break;
  default:
    fail('usage: kafka.mjs start | status | stop [--keep] | fetch');
}
