/**
 * The floor: a raw Node TCP server that echoes each length-prefixed frame back, run in its own
 * process. Prints `listening <port>` once ready.
 */
import net from 'node:net';
import { FrameDecoder, frame } from '../../src/protocol/frame.ts';

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  const decoder = new FrameDecoder();
  socket.on('data', (chunk) => decoder.push(chunk, (payload) => socket.write(frame(payload))));
  socket.on('error', () => undefined);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as net.AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
