/*
 * s3rver (a peer S3 server in Node) in a process of its own, so its CPU never mixes with the
 * bench client's: prints its port on stdout and runs until killed. Argument: its data directory.
 */
import S3rver from 's3rver';

const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: process.argv[2] ?? '.', resetOnClose: true });
const { port } = await server.run();
process.stdout.write(`${port}\n`);
