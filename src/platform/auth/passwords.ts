import argon2 from 'argon2';
import type { Config } from '../config.ts';

export function hashPassword(password: string, cfg: Config['argon2']): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id, ...cfg });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
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
