import { SkeinError } from './skein-error.ts';

/**
 * A DSO address is missing or is not one: the accepted form is `skein://host:port` (`skeins://`
 * for TLS), several seeds comma-separated. Raised where the address is given (`connect()`,
 * `new Client()`, the default client from `SKEIN_DSO`), before anything is sent.
 */
export class AddressError extends SkeinError {
  constructor(message: string) {
    super('EADDRESS', message);
  }
}
