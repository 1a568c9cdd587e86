// SPDX-License-Identifier: GPL-2.0
// scripts/node-http.js - an HTTP server and a keep-alive client in one node
// process, over 127.0.0.1 (port chosen by the kernel): REQUESTS requests,
// CONCURRENCY at a time, bounded by DEADLINE_MS.  Prints one line:
//   node-http: <done>/<requests> requests in <ms> ms, eventpoll2 fds <n>, libuv <v>
// and exits 0 only if every request completed with the right body and the
// process holds at least one anon_inode:[eventpoll2] fd (EP2_EXPECT_EP2=0:
// need none).  No network beyond loopback.
'use strict';
const http = require('http');
const fs = require('fs');

const REQUESTS = +(process.env.EP2_NODE_REQUESTS || 2000);
const CONCURRENCY = +(process.env.EP2_NODE_CONCURRENCY || 8);
const DEADLINE_MS = +(process.env.EP2_NODE_DEADLINE_MS || 120000);
const EXPECT_EP2 = process.env.EP2_EXPECT_EP2 !== '0';

function ep2Fds() {
  let n = 0;
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      if (fs.readlinkSync('/proc/self/fd/' + fd) === 'anon_inode:[eventpoll2]') n++;
    } catch (e) { /* closed meanwhile */ }
  }
  return n;
}

const server = http.createServer((req, res) => {
  const body = 'ok ' + req.url;
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
});

server.listen(0, '127.0.0.1', () => {
  const port = server.address().port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const start = Date.now();
  let issued = 0, done = 0, bad = 0, finished = false;

  function finish(why) {
    if (finished) return;
    finished = true;
    const ms = Date.now() - start;
    const n = ep2Fds();
    console.log(`node-http: ${done}/${REQUESTS} requests in ${ms} ms, ` +
                `eventpoll2 fds ${n}, libuv ${process.versions.uv}` +
                (bad ? `, ${bad} bad` : '') + (why ? `, ${why}` : ''));
    agent.destroy();
    server.close();
    process.exit(done === REQUESTS && !bad && (EXPECT_EP2 ? n > 0 : n === 0) ? 0 : 1);
  }
  const timer = setTimeout(() => finish('deadline reached'), DEADLINE_MS);

  function one() {
    if (issued >= REQUESTS) return;
    const i = issued++;
    http.get({ host: '127.0.0.1', port, path: '/' + i, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => {
        if (res.statusCode !== 200 || body !== 'ok /' + i) bad++;
        done++;
        if (done === REQUESTS) { clearTimeout(timer); finish(''); } else one();
      });
    }).on('error', (e) => { bad++; finish('error ' + e.code); });
  }
  for (let k = 0; k < CONCURRENCY; k++) one();
});
