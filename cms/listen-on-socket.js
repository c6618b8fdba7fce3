// Preloaded into decap-server (`node -r`, newsroom/servers/decap_server.py): whatever port and host it
// asks for, it listens on the unix socket NEWSROOM_DECAP_SOCKET instead, inside a folder only
// this user may enter. No TCP port of decap-server is open; only newsroom's guard reaches it.
"use strict";
const net = require("net");

const socketPath = process.env.NEWSROOM_DECAP_SOCKET;
if (!socketPath) {
  throw new Error("NEWSROOM_DECAP_SOCKET fehlt: decap-server startet nur über invoke cms.");
}
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const callback = args.find((arg) => typeof arg === "function");
  return listen.call(this, socketPath, callback);
};
