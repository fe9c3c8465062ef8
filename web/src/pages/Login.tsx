// Sign-in: the page uses an API token, like the CLI. The first start of a server prints one for `admin`.
import { useState, type FormEvent } from 'react';
import { api, describe, saveToken } from '../lib/api';
import { navigate } from '../lib/router';
import { ErrorText } from '../components/ui';

export function Login() {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/api/me', { headers: { Authorization: `Bearer ${value.trim()}` } });
      saveToken(value.trim());
      if (location.pathname === '/login') navigate('/', { replace: true });
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="screen" style={{ maxWidth: 520, margin: '10vh auto' }}>
      <form className="panel stack" onSubmit={submit}>
        <h1>Sign in to Agentry</h1>
        <p className="muted">Paste an API token. The first start of a server prints one for <code>admin</code>;
          <code> agentry tokens create NAME</code> makes more. The token stays in this browser.</p>
        <div className="field">
          <label htmlFor="token">API token</label>
          <input id="token" type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} placeholder="agy_…" autoFocus required />
        </div>
        <ErrorText error={error} />
        <div><button className="primary" disabled={busy || !value.trim()}>Sign in</button></div>
      </form>
    </main>
  );
}
