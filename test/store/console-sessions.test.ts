/*
 * Console sessions are rows (migration 011): logout deletes its row, so the cookie is dead at
 * once, and a session is never accepted where a Bearer token goes. On both backends.
 */
import { describe, expect, it } from 'vitest';
import { createTokens } from '../../src/engine/tokens.js';
import { backends } from '../support/backends.js';
import { useStore } from '../support/store.js';

for (const backend of backends) {
  describe(`console sessions on ${backend.name}`, () => {
    const storeOf = useStore(backend);

    it('verifies a live session until its expiry, and not after', async () => {
      const tokens = await createTokens(storeOf());
      const now = Date.UTC(2026, 0, 1);
      const session = await tokens.issueSession(now + 60_000, now);
      expect(await tokens.verifySession(session, now)).toEqual({ kind: 'admin' });
      expect(await tokens.verifySession(session, now + 60_000)).toBeUndefined();
    });

    it('refuses a revoked session, and a revoked one stays refused after a restart', async () => {
      const tokens = await createTokens(storeOf());
      const now = Date.now();
      const kept = await tokens.issueSession(now + 60_000, now);
      const revoked = await tokens.issueSession(now + 60_000, now);
      await tokens.revokeSession(revoked);
      expect(await tokens.verifySession(revoked, now)).toBeUndefined();
      // Revoking twice, or a value that was never a session, is not an error.
      await tokens.revokeSession(revoked);
      await tokens.revokeSession('session.not-one');
      const reopened = await createTokens(storeOf());
      expect(await reopened.verifySession(kept, now)).toEqual({ kind: 'admin' });
      expect(await reopened.verifySession(revoked, now)).toBeUndefined();
    });

    it('never takes a session for a Bearer token, nor a Bearer token for a session', async () => {
      const tokens = await createTokens(storeOf());
      const now = Date.now();
      const session = await tokens.issueSession(now + 60_000, now);
      expect(await tokens.verify(session, now)).toBeUndefined();
      const admin = await tokens.issue({ kind: 'admin' });
      expect(await tokens.verifySession(admin, now)).toBeUndefined();
      expect(await tokens.verifySession('session.forged', now)).toBeUndefined();
    });

    it('drops expired sessions when it issues new ones', async () => {
      const tokens = await createTokens(storeOf());
      const now = Date.UTC(2026, 5, 1);
      await tokens.issueSession(now - 1, now - 60_000);
      await tokens.issueSession(now + 60_000, now);
      const expired = await storeOf().db.selectFrom('console_sessions').select('expires_at').where('expires_at', '<=', now).execute();
      expect(expired).toEqual([]);
    });
  });
}
