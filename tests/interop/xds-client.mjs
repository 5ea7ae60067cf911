// A proxyless gRPC client (the real @grpc/grpc-js-xds) and any number of gRPC backends, driven by
// the C# interop tests over stdin/stdout, one JSON object per line. The xDS server comes from the
// bootstrap named by GRPC_XDS_BOOTSTRAP.
//
// Once started it prints {"event":"ready"}. Then every request {"id":N,"op":...} gets exactly one
// answer {"id":N,...} (or {"id":N,"error":"..."}), in order:
//   {"op":"startBackends","names":["a",...],"methods":["/pkg.Svc/M",...]?}
//        → {"ports":{"a":<port>,...}}: one gRPC server per name on 127.0.0.1, serving the methods
//          (default: METHODS below); each answers with its own name.
//   {"op":"behave","backend":"a","method":"/pkg.Svc/M"|"*","failCode":14?,"failTimes":2?,"delayMs":300?}
//        → {}: from now on that backend's method (every method for "*") waits delayMs, then fails
//          with failCode for the next failTimes attempts (every attempt when failTimes is absent).
//   {"op":"stats"} → {"backends":{"a":{"/pkg.Svc/M":{"attempts":3,"retries":2}}}}: attempts each
//          backend received per method, and how many of them carried grpc-previous-rpc-attempts.
//   {"op":"calls","target":"host:port","method":"/pkg.Svc/M","count":100,"metadata":{"k":"v"}?,
//    "deadlineMs":5000?,"concurrency":1?}
//        → {"results":[{"backend":"a"|null,"code":0,"details":"...","ms":12.5}]}: count unary RPCs
//          to xds:///target over one channel per target, each with its own deadline.
//   {"op":"quit"} ends the process.
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import readline from 'node:readline';

grpcXds.register();

const METHODS = [
  '/controlplane.interop.Echo/WhoAmI',
  '/controlplane.interop.Echo/Pay',
  '/controlplane.interop.Echo/Browse',
];
const identity = (b) => b;
const backends = new Map();
const clients = new Map();

function emit(message) {
  process.stdout.write(JSON.stringify(message) + '\n');
}

function counterOf(backend, method) {
  if (!backend.stats[method]) backend.stats[method] = { attempts: 0, retries: 0 };
  return backend.stats[method];
}

function behaviourOf(backend, method) {
  return backend.behaviours.get(method) ?? backend.behaviours.get('*');
}

function handler(backend, method) {
  return (call, callback) => {
    const counter = counterOf(backend, method);
    counter.attempts++;
    if (call.metadata.get('grpc-previous-rpc-attempts').length > 0) counter.retries++;
    const behaviour = behaviourOf(backend, method);
    const answer = () => {
      if (behaviour?.failCode !== undefined && (behaviour.failTimes === undefined || behaviour.failTimes > 0)) {
        if (behaviour.failTimes !== undefined) behaviour.failTimes--;
        callback({ code: behaviour.failCode, details: `${backend.name} fails ${method}` });
      } else {
        callback(null, Buffer.from(backend.name));
      }
    };
    if (behaviour?.delayMs) setTimeout(answer, behaviour.delayMs); else answer();
  };
}

function startBackend(name, methods) {
  return new Promise((resolve, reject) => {
    const backend = { name, stats: {}, behaviours: new Map(), server: new grpc.Server() };
    for (const method of methods) backend.server.register(method, handler(backend, method), identity, identity, 'unary');
    backend.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) { reject(err); return; }
      backend.port = port;
      backends.set(name, backend);
      resolve(backend);
    });
  });
}

function clientFor(target) {
  if (!clients.has(target)) clients.set(target, new grpc.Client(`xds:///${target}`, grpc.credentials.createInsecure()));
  return clients.get(target);
}

function callOnce(client, method, metadata, deadlineMs) {
  const started = process.hrtime.bigint();
  const deadline = new Date(Date.now() + deadlineMs);
  return new Promise((resolve) => {
    client.makeUnaryRequest(method, identity, identity, Buffer.alloc(0), metadata, { deadline }, (err, reply) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (err) resolve({ backend: null, code: err.code, details: err.details, ms });
      else resolve({ backend: reply.toString(), code: 0, details: '', ms });
    });
  });
}

async function calls(request) {
  const client = clientFor(request.target);
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(request.metadata ?? {})) metadata.set(key, value);
  const results = new Array(request.count);
  let next = 0;
  const worker = async () => {
    while (next < request.count) {
      const index = next++;
      results[index] = await callOnce(client, request.method ?? METHODS[0], metadata, request.deadlineMs ?? 5000);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, request.concurrency ?? 1) }, worker));
  return { results };
}

async function handle(request) {
  switch (request.op) {
    case 'startBackends': {
      const ports = {};
      for (const name of request.names) {
        if (backends.has(name)) throw new Error(`backend ${name} already runs`);
        ports[name] = (await startBackend(name, request.methods ?? METHODS)).port;
      }
      return { ports };
    }
    case 'behave': {
      const backend = backends.get(request.backend);
      if (!backend) throw new Error(`no backend ${request.backend}`);
      backend.behaviours.set(request.method ?? '*', { failCode: request.failCode, failTimes: request.failTimes, delayMs: request.delayMs });
      return {};
    }
    case 'stats':
      return { backends: Object.fromEntries([...backends].map(([name, backend]) => [name, backend.stats])) };
    case 'calls':
      return calls(request);
    default:
      throw new Error(`unknown op ${request.op}`);
  }
}

emit({ event: 'ready' });
const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === '') continue;
  let request;
  try {
    request = JSON.parse(line);
  } catch (e) {
    emit({ error: `not JSON: ${e.message}` });
    continue;
  }
  if (request.op === 'quit') break;
  try {
    emit({ id: request.id, ...(await handle(request)) });
  } catch (e) {
    emit({ id: request.id, error: e.message });
  }
}

for (const client of clients.values()) client.close();
for (const backend of backends.values()) backend.server.forceShutdown();
process.exit(0);
