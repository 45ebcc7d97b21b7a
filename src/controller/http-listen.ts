/**
 * Starting one of the operator's HTTP servers (metrics and probes; the webhook receiver) on a
 * HOST:PORT the user gave (port 0: any free one), and stopping it without waiting for idle
 * keep-alive connections.
 */
import type http from "node:http";
import { UsageError } from "../errors/errors.js";

export interface Listening {
  /** HOST:PORT actually bound. */
  address: string;
  close(): Promise<void>;
}

/** HOST:PORT → its parts; `flag` names the option in the error. */
export function parseAddress(address: string, flag: string): { host: string; port: number } {
  const i = address.lastIndexOf(":");
  const host = i > 0 ? address.slice(0, i).replace(/^\[(.*)\]$/, "$1") : "127.0.0.1";
  const port = Number(address.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`invalid ${flag} ${address}: expected HOST:PORT`);
  return { host, port };
}

export async function listen(server: http.Server, address: string, flag: string): Promise<Listening> {
  const { host, port } = parseAddress(address, flag);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address();
  return {
    address:
      a !== null && typeof a === "object" ? `${host.includes(":") ? `[${host}]` : host}:${a.port}` : address,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
