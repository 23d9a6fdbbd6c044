// `HOST:PORT` listen addresses, as `--listen` and the daemon config's `web.listen` give them.

/** A parsed listen address. */
export interface ListenAddress {
  /** Host name or IP address; an IPv6 address without brackets. */
  readonly host: string;
  /** Port number; 0 lets the system choose a free port. */
  readonly port: number;
}

/** Parses `HOST:PORT` or `[IPV6]:PORT`, throwing a RangeError that shows the expected form. */
export function parseListenAddress(text: string, source = "listen address"): ListenAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/.exec(text);
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || port > 65535) {
    throw new RangeError(
      `${source} ${JSON.stringify(text)} is invalid; expected HOST:PORT such as 127.0.0.1:9000`,
    );
  }
  return { host: match[1] ?? match[2] ?? "", port };
}

/** Formats an address as a URL authority, with brackets around IPv6 addresses. */
export function formatAuthority(address: ListenAddress): string {
  return address.host.includes(":")
    ? `[${address.host}]:${address.port}`
    : `${address.host}:${address.port}`;
}
