import argon2 from 'argon2';
import type { Config } from '../config.ts';

/** The password policy for passwords people choose (change, reset, set): long enough, bounded. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export function hashPassword(password: string, cfg: Config['argon2']): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...cfg });
}

/** A missing hash (a password never set) never matches. */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (!hash) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** Spends the same work as a real check, so a wrong e-mail is not faster than a wrong password. */
export async function burnPasswordCheck(password: string, cfg: Config['argon2']): Promise<void> {
  dummy ??= hashPassword('traslado-timing-equaliser', cfg);
  await verifyPassword(await dummy, password);
}
