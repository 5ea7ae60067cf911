// A proxyless gRPC client (the real @grpc/grpc-js-xds) plus two gRPC backends, driven by the C#
// interop tests over stdin/stdout, one JSON object per line.
//   out: {"event":"backends","a":<port>,"b":<port>}   once both backends listen on 127.0.0.1
//   in:  call <target>                                  one unary RPC to xds:///<target>
//   out: {"event":"reply","backend":"A"|"B"} or {"event":"error","message":...}
// The xDS server comes from the bootstrap named by GRPC_XDS_BOOTSTRAP.
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';
import readline from 'node:readline';

grpcXds.register();

const method = '/controlplane.interop.Echo/WhoAmI';
const identity = (b) => b;

function emit(event) {
  process.stdout.write(JSON.stringify(event) + '\n');
}

function startBackend(name) {
  return new Promise((resolve, reject) => {
    const server = new grpc.Server();
    server.register(method, (call, callback) => callback(null, Buffer.from(name)), identity, identity, 'unary');
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) reject(err); else resolve({ server, port });
    });
  });
}

const a = await startBackend('A');
const b = await startBackend('B');
emit({ event: 'backends', a: a.port, b: b.port });

const clients = new Map();
function clientFor(target) {
  if (!clients.has(target)) clients.set(target, new grpc.Client(`xds:///${target}`, grpc.credentials.createInsecure()));
  return clients.get(target);
}

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const [command, target] = line.trim().split(/\s+/);
  if (command === 'quit') break;
  if (command !== 'call' || !target) {
    emit({ event: 'error', message: `unknown command: ${line}` });
    continue;
  }
  const deadline = new Date(Date.now() + 5000);
  await new Promise((resolve) => {
    clientFor(target).makeUnaryRequest(method, identity, identity, Buffer.alloc(0), new grpc.Metadata(), { deadline }, (err, reply) => {
      if (err) emit({ event: 'error', message: `${err.code}: ${err.details}` });
      else emit({ event: 'reply', backend: reply.toString() });
      resolve();
    });
  });
}

for (const client of clients.values()) client.close();
a.server.forceShutdown();
b.server.forceShutdown();
process.exit(0);
