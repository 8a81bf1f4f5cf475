import { useState, type FormEvent } from 'react';
import { login } from '../api';

export function LoginPage({ onLogin }: { onLogin: () => void }) {
  const initial = new URLSearchParams(window.location.search).get('error');
  const [error, setError] = useState<string | null>(initial);
  const [token, setToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login(token).then(onLogin, (err: Error) => setError(err.message));
  };
  return (
    <main className="login">
      <h1>Skybatch console</h1>
      <p>Open the console URL that <code>skybatch up</code> printed, or paste the token from <code>endpoint.json</code>.</p>
      <form onSubmit={submit}>
        <label htmlFor="token">Access token</label>
        <input id="token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} required />
        <button type="submit">Log in</button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </main>
  );
}
