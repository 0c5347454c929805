import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ReplayGuard } from './replay-guard.ts';

/**
 * Signed envelopes: the proof an HTTP function asks of a request before it runs anything. The
 * `http` backend signs each POST with a secret it shares with the function; `skein/http`'s
 * handlers check the signature, its freshness and that it was not used before.
 *
 * The header is `x-skein-signature: t=<ms since the epoch>,n=<nonce>,v1=<hex>`, where `v1` is
 * HMAC-SHA256, keyed with the secret, of `v1:<t>:<n>:` followed by the exact body bytes. The
 * nonce is 16 random bytes (32 hex digits), new for every request, so that every attempt of a
 * thread carries a signature of its own.
 */

/** The request header carrying an envelope's signature. */
export const SIGNATURE_HEADER = 'x-skein-signature';

/** The environment variable holding the secret an app and its HTTP functions share. */
export const SECRET_ENV = 'SKEIN_FUNCTION_SECRET';

/** Fewest characters a secret may have (`openssl rand -hex 32` makes a good one). */
export const MIN_SECRET_LENGTH = 16;

/** How far a signature's timestamp may be from the function's clock, either way, by default: 5 min. */
export const DEFAULT_TOLERANCE_MS = 5 * 60 * 1000;

const HEADER = /^t=(\d{1,15}),n=([0-9a-f]{32}),v1=([0-9a-f]{64})$/;

/**
 * The secret `who` signs or checks with: `option` if given, else `SKEIN_FUNCTION_SECRET`, else
 * undefined. Throws a `TypeError` for a secret shorter than {@link MIN_SECRET_LENGTH}.
 */
export function functionSecret(option: string | undefined, who: string): string | undefined {
  const secret = option ?? process.env[SECRET_ENV];
  if (secret === undefined) return undefined;
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    throw new TypeError(`${who}'s secret (the secret option or ${SECRET_ENV}) must be a string of at least ${MIN_SECRET_LENGTH} characters`);
  }
  return secret;
}

function mac(secret: string, at: number, nonce: string, body: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(`v1:${at}:${nonce}:`).update(body).digest();
}

/** The {@link SIGNATURE_HEADER} value for `body` sent at `at` (ms since the epoch), with a new nonce. */
export function signEnvelope(secret: string, body: Uint8Array, at: number = Date.now()): string {
  const nonce = randomBytes(16).toString('hex');
  return `t=${at},n=${nonce},v1=${mac(secret, at, nonce, body).toString('hex')}`;
}

/** A signature header read, not yet checked against the body. */
export interface SignatureClaim {
  /** When it says it was signed (ms since the epoch). */
  readonly at: number;
  readonly nonce: string;
  /** The HMAC, hex. */
  readonly v1: string;
}

/** Why a request was refused: a sentence for the 401's body. */
export interface Refusal {
  readonly refused: string;
}

/** Options of a {@link SignatureCheck}. */
export interface SignatureCheckOptions {
  /** How far a signature's timestamp may be from this clock, either way (ms); default 5 min. */
  toleranceMs?: number;
}

/**
 * Checks signed envelopes for one function: first the header alone (present, well formed, fresh:
 * cheap, before the body is read), then the body against it and that the signature is new. A
 * signature is accepted once; a second request carrying it is refused (see {@link ReplayGuard}).
 * The memory of signatures is this object's: instances of a function do not share it.
 */
export class SignatureCheck {
  private readonly toleranceMs: number;
  private readonly seen: ReplayGuard;

  constructor(
    private readonly secret: string,
    opts: SignatureCheckOptions = {},
  ) {
    this.toleranceMs = opts.toleranceMs ?? DEFAULT_TOLERANCE_MS;
    if (!Number.isFinite(this.toleranceMs) || this.toleranceMs <= 0) throw new RangeError(`toleranceMs must be a positive number, got ${this.toleranceMs}`);
    this.seen = new ReplayGuard(this.toleranceMs);
  }

  /** Reads the signature header: a claim to check against the body, or why it is refused. */
  header(value: string | null | undefined): SignatureClaim | Refusal {
    if (value === undefined || value === null || value === '') return { refused: `no ${SIGNATURE_HEADER} header: this function runs signed envelopes only` };
    const m = HEADER.exec(value);
    if (!m) return { refused: `malformed ${SIGNATURE_HEADER} header: expected t=<ms>,n=<32 hex>,v1=<64 hex>` };
    const at = Number(m[1]);
    const skew = at - Date.now();
    if (Math.abs(skew) > this.toleranceMs) {
      return { refused: `stale signature: signed ${Math.abs(skew)} ms ${skew < 0 ? 'before' : 'after'} this function's clock, over the tolerance of ${this.toleranceMs} ms` };
    }
    return { at, nonce: m[2]!, v1: m[3]! };
  }

  /** Checks `body` against `claim` and that the signature was not used before; undefined when it passes. */
  body(claim: SignatureClaim, body: Uint8Array): Refusal | undefined {
    if (!timingSafeEqual(mac(this.secret, claim.at, claim.nonce, body), Buffer.from(claim.v1, 'hex'))) {
      return { refused: 'wrong signature: not signed with this function\'s secret, or the body was changed' };
    }
    const admission = this.seen.admit(claim.v1, claim.at, Date.now());
    if (admission === 'replayed') return { refused: 'replayed signature: a signed request runs once; every attempt is signed anew' };
    if (admission === 'forgotten') return { refused: 'signature too old to be checked for replay (the memory of recent signatures is full): sign it again' };
    return undefined;
  }
}
