/*
 * The least a Node server can spend to serve a file: a bare http server piping a read stream
 * (1 MiB reads, as the blob store's) into the response, nothing else. The storage bench times
 * its CPU per GiB as the runtime's own bound for a GET. Prints its port, runs until killed.
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const path = process.argv[2] ?? '';
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-length': statSync(path).size });
  createReadStream(path, { highWaterMark: 1 << 20 }).pipe(response);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
